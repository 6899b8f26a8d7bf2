namespace Microsoft.ML.Gan.Bench;

/// <summary>
/// Reports on the training thread, unlike <see cref="Progress{T}"/>, which posts to the thread pool: the last report
/// (the one at the end of training) has arrived when Fit returns, so a command can read the steps trained from it.
/// </summary>
internal sealed class SyncProgress(Action<GanProgress> report) : IProgress<GanProgress>
{
    public void Report(GanProgress value) => report(value);
}
