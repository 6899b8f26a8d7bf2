using Microsoft.ML.Gan;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CycleGanEmoji;

/// <summary>Shows <see cref="GanProgress"/> reports as a Spectre.Console progress bar (plain lines when output is redirected).</summary>
internal sealed class TrainingProgressView(int totalEpochs) : IProgress<GanProgress>
{
    private ProgressTask? _task;
    private volatile GanProgress? _latest;
    private int _lastPrintedEpoch;

    private static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="train"/> while the bar is shown; reports may come from any thread.</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive) return train();
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new LossesColumn(this))
            .Start(ctx =>
            {
                _task = ctx.AddTask("CycleGAN", maxValue: 1);
                return train();
            });
    }

    public void Report(GanProgress value)
    {
        _latest = value;
        if (_task is not null)
        {
            _task.MaxValue = value.TotalSteps;
            _task.Value = value.Step;
            _task.Description = $"epoch {value.Epoch}/{totalEpochs}";
        }
        else if (value.Epoch != _lastPrintedEpoch || value.Step == value.TotalSteps)
        {
            // Redirected output (CI logs): one line per epoch rather than a redrawn bar.
            _lastPrintedEpoch = value.Epoch;
            Console.WriteLine($"epoch {value.Epoch}/{totalEpochs}, step {value.Step}/{value.TotalSteps}: {Summary(value)}");
        }
    }

    private static string Summary(GanProgress p)
    {
        double Loss(string name) => p.Losses.TryGetValue(name, out var v) ? v : double.NaN;
        return $"G {Loss("G_A"):F2}/{Loss("G_B"):F2}  D {Loss("D_A"):F2}/{Loss("D_B"):F2}  " +
            $"cycle {Loss("cycle_A"):F2}/{Loss("cycle_B"):F2}  {p.SamplesPerSecond:F1} img/s  ETA {p.Eta:h\\:mm\\:ss}";
    }

    private sealed class LossesColumn(TrainingProgressView view) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            view._latest is { } p
                ? new Markup($"[grey]{Markup.Escape(Summary(p))}[/]")
                : new Markup("[grey]reading images, building networks ...[/]");
    }
}
