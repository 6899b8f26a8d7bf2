namespace GanExamples;

/// <summary>What the example programs return.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    /// <summary>Bad arguments or no usable data.</summary>
    public const int BadInput = 2;
    /// <summary>Ctrl+C, as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
