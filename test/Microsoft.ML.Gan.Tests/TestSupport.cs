namespace Microsoft.ML.Gan.Tests;

/// <summary>Small pieces every GAN's tests use.</summary>
internal static class TestSupport
{
    /// <summary>A new empty folder under the system's temporary folder.</summary>
    public static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlgan-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the training thread (Progress&lt;T&gt; would post to a thread pool).</summary>
internal sealed class SyncProgress(Action<GanProgress> onReport) : IProgress<GanProgress>
{
    public void Report(GanProgress value) => onReport(value);
}
