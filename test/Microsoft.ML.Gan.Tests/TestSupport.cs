using Microsoft.ML.Gan.Core;
using TorchSharp;

namespace Microsoft.ML.Gan.Tests;

/// <summary>Small pieces every GAN's tests use.</summary>
internal static class TestSupport
{
    /// <summary>This test run's folder under the system's temporary folder; <see cref="TestRun"/> deletes it at the end.</summary>
    public static readonly string RunDirectory = Path.Combine(Path.GetTempPath(), "mlgan-tests", Guid.NewGuid().ToString("N"));

    /// <summary>A new empty folder in <see cref="RunDirectory"/>.</summary>
    public static string TempDirectory()
    {
        string dir = Path.Combine(RunDirectory, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Asserts that <paramref name="transformer"/>'s GetOutputSchema describes what its Transform gives for
    /// <paramref name="data"/>: the same columns, types and hidden columns at the same indices (ML.NET pipelines plan on it).
    /// </summary>
    public static void AssertOutputSchemaIsTransforms(ITransformer transformer, IDataView data)
    {
        static string Describe(DataViewSchema s) => string.Join("; ", s.Select(c => $"{c.Index} {c.Name} {c.Type} hidden={c.IsHidden}"));
        Assert.AreEqual(Describe(transformer.Transform(data).Schema), Describe(transformer.GetOutputSchema(data.Schema)));
    }

    /// <summary>
    /// Makes training with <paramref name="options"/> cancel itself once step <paramref name="step"/> has run (progress
    /// is reported after every step, on the training thread); dispose the returned source after the run.
    /// </summary>
    public static CancellationTokenSource CancelAtStep(GanTrainerOptions options, long step)
    {
        var cancel = new CancellationTokenSource();
        options.ProgressInterval = TimeSpan.Zero;
        options.CancellationToken = cancel.Token;
        options.Progress = new SyncProgress(p => { if (p.Stage == GanStage.Training && p.Step == step) cancel.Cancel(); });
        return cancel;
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> is <paramref name="expected"/> computed another way: the largest difference
    /// within <paramref name="relative"/> of <paramref name="expected"/>'s largest absolute value, which must be finite and
    /// above <paramref name="smallestScale"/> (a comparison of zeros, or of rounding noise, proves nothing).
    /// </summary>
    public static void AssertCloseToLargest(torch.Tensor expected, torch.Tensor actual, string what, double relative, double smallestScale = 0)
    {
        double scale = expected.abs().max().item<float>(), error = (expected - actual).abs().max().item<float>();
        Assert.IsTrue(double.IsFinite(scale), $"{what}: not finite ({scale})");
        Assert.IsTrue(scale > smallestScale, $"{what}: largest value {scale:G3}, too small to compare");
        Assert.IsTrue(error <= relative * scale, $"{what}: largest difference {error:G3} against a largest value {scale:G3}");
    }

    private sealed class NoColumns;

    /// <summary>
    /// The SchemaShape of <typeparamref name="T"/>'s columns (SchemaShape.Create is internal to ML.NET): a custom
    /// mapping from no columns reports them.
    /// </summary>
    public static SchemaShape ShapeOf<T>(MLContext ml) where T : class, new() =>
        ml.Transforms.CustomMapping<NoColumns, T>((_, _) => { }, null).GetOutputSchema(new SchemaShape(Array.Empty<SchemaShape.Column>()));
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the training thread (Progress&lt;T&gt; would post to a thread pool).</summary>
internal sealed class SyncProgress(Action<GanProgress> onReport) : IProgress<GanProgress>
{
    public void Report(GanProgress value) => onReport(value);
}

/// <summary>What the whole test run does at its start and end.</summary>
[TestClass]
public sealed class TestRun
{
    /// <summary>
    /// The CPU settings training uses (<see cref="GanEnvironment.UseCpu"/>: oneDNN off with two libtorch threads, among
    /// others) from the first test on, so that a test that builds networks or models directly, not through an
    /// estimator, does not run on libtorch's defaults or on whatever an earlier test left: oneDNN's convolutions,
    /// bfloat16 ones included, gave wrong or NaN gradients on this machine's CPU (BENCHMARKS.md, "bfloat16 and the first
    /// step's gradients"). Tests that change a setting put these back in a <c>finally</c>.
    /// </summary>
    [AssemblyInitialize]
    public static void UseTheLibrarysCpuSettings(TestContext _) => GanEnvironment.UseCpu();

    /// <summary>
    /// Deletes this run's temporary folders (checkpoints, saved models, written files; tens of MB a run), which would
    /// otherwise pile up on a machine that keeps its temporary folder. Another run's folders are left alone.
    /// </summary>
    [AssemblyCleanup]
    public static void DeleteTemporaryFolders()
    {
        try
        {
            if (Directory.Exists(TestSupport.RunDirectory)) Directory.Delete(TestSupport.RunDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {TestSupport.RunDirectory}: {e.Message}");
        }
    }
}
