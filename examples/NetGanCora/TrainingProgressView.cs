using Microsoft.ML.Gan;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NetGanCora;

/// <summary>Shows NetGAN's <see cref="GanProgress"/> reports as a Spectre.Console progress bar (plain lines when output is redirected).</summary>
internal sealed class TrainingProgressView : IProgress<GanProgress>
{
    /// <summary>Least time between two plain lines when output is redirected.</summary>
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(30);

    private ProgressTask? _task;
    private volatile GanProgress? _latest;
    private DateTime _lastLine;

    private static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>The last report: the iteration training reached.</summary>
    public GanProgress? Latest => _latest;

    /// <summary>Runs <paramref name="train"/> while the bar is shown; reports may come from any thread.</summary>
    public T Run<T>(Func<T> train)
    {
        if (!Interactive) return train();
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new LossesColumn(this))
            .Start(ctx =>
            {
                _task = ctx.AddTask("NetGAN", maxValue: 1);
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
        }
        else if (DateTime.UtcNow - _lastLine >= LineInterval || value.Step == value.TotalSteps)
        {
            // Redirected output (CI logs): a line now and then rather than a redrawn bar.
            _lastLine = DateTime.UtcNow;
            Console.WriteLine(Summary(value));
        }
    }

    private static string Summary(GanProgress p)
    {
        double Loss(string name) => p.Losses.TryGetValue(name, out var v) ? v : double.NaN;
        return $"iteration {p.Step}/{p.TotalSteps}  G {Loss("G"):F3}  D {Loss("D"):F3}  {p.SamplesPerSecond:F0} walks/s  ETA {p.Eta:h\\:mm\\:ss}";
    }

    private sealed class LossesColumn(TrainingProgressView view) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            view._latest is { } p
                ? new Markup($"[grey]{Markup.Escape(Summary(p))}[/]")
                : new Markup("[grey]splitting the graph, building networks ...[/]");
    }
}
