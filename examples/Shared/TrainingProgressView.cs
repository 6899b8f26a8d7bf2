using Microsoft.ML.Gan;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace GanExamples;

/// <summary>Shows <see cref="GanProgress"/> reports as a Spectre.Console progress bar (plain lines when output is redirected).</summary>
/// <param name="describe">The bar's label for a report, e.g. the epoch; a plain line is also printed whenever it changes.</param>
/// <param name="summarize">The losses, throughput and ETA shown beside the bar.</param>
/// <param name="preparing">What is shown before the first report arrives.</param>
internal sealed class TrainingProgressView(Func<GanProgress, string> describe, Func<GanProgress, string> summarize, string preparing)
    : IProgress<GanProgress>
{
    /// <summary>Most time between two plain lines when output is redirected.</summary>
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(30);

    private ProgressTask? _task;
    private volatile GanProgress? _latest;
    private volatile GanProgress? _latestTraining;
    private string? _lastDescription;
    private DateTime _lastLine;

    private static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>The last training report (not a scoring one): how far training got.</summary>
    public GanProgress? Latest => _latestTraining;

    /// <summary>Runs <paramref name="train"/> while the bar is shown; reports may come from any thread.</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive) return train();
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new SummaryColumn(this))
            .Start(ctx =>
            {
                _task = ctx.AddTask("training", maxValue: 1);
                return train();
            });
    }

    public void Report(GanProgress value)
    {
        _latest = value;
        if (value.Stage == GanStage.Training) _latestTraining = value;
        string description = describe(value);
        if (_task is not null)
        {
            _task.MaxValue = value.TotalSteps;
            _task.Value = value.Step;
            _task.Description = description;
        }
        else if (description != _lastDescription || DateTime.UtcNow - _lastLine >= LineInterval || value.Step == value.TotalSteps)
        {
            // Redirected output (CI logs): a line now and then rather than a redrawn bar.
            (_lastDescription, _lastLine) = (description, DateTime.UtcNow);
            string unit = value.Stage == GanStage.Training ? "step " : "";
            Console.WriteLine($"{description}, {unit}{value.Step}/{value.TotalSteps}: {summarize(value)}");
        }
    }

    private string Status() => _latest is { } p ? summarize(p) : preparing;

    private sealed class SummaryColumn(TrainingProgressView view) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup($"[grey]{Markup.Escape(view.Status())}[/]");
    }
}
