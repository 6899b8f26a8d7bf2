using Spectre.Console;

namespace GanExamples;

/// <summary>
/// Runs an example's training with what every example wants around it: the progress view, Ctrl+C as cancellation
/// (the training loop writes a checkpoint first), resuming from a checkpoint, and failures turned into a message and
/// an exit code.
/// </summary>
internal static class GuardedTraining
{
    /// <summary>The file the training loop keeps its checkpoint in.</summary>
    public static string CheckpointFile(string checkpointDirectory) => Path.Combine(checkpointDirectory, "checkpoint.mlgan");

    /// <param name="train">Fits the model; its estimator must watch the token, which the first Ctrl+C cancels.</param>
    /// <param name="progress">The view the estimator reports to.</param>
    /// <param name="checkpointDirectory">The estimator's checkpoint folder.</param>
    /// <param name="input">The file or folder trained on, named when the estimator refuses the data.</param>
    /// <returns>The model, or null and the exit code to return.</returns>
    public static (T? Model, int ExitCode) Run<T>(Func<CancellationToken, T> train, TrainingProgressView progress,
        string checkpointDirectory, string input) where T : class
    {
        string checkpoint = CheckpointFile(checkpointDirectory);
        if (File.Exists(checkpoint)) AnsiConsole.MarkupLineInterpolated($"Resuming from [bold]{checkpoint}[/] (delete it to start over).");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops after the current step and writes a checkpoint; a second one kills the process.
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var model = progress.Run(() => train(cancel.Token));
            // A Ctrl+C after the last step (during the final scoring, say) still means stop: the outputs are not written.
            if (cancel.IsCancellationRequested)
            {
                (model as IDisposable)?.Dispose();
                throw new OperationCanceledException(cancel.Token);
            }
            return (model, ExitCodes.Success);
        }
        catch (OperationCanceledException)
        {
            if (File.Exists(checkpoint))
                AnsiConsole.MarkupLineInterpolated($"[yellow]Stopped. Checkpoint: {checkpoint}; run the same command again to resume.[/]");
            else
                AnsiConsole.MarkupLine("[yellow]Stopped before the first checkpoint; a rerun starts over.[/]");
            return (null, ExitCodes.Cancelled);
        }
        catch (InvalidDataException e)
        {
            // A file that cannot be read (an audio file, a damaged checkpoint) or a checkpoint that does not fit this
            // run (another seed): the message names the file.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            if (File.Exists(checkpoint)) AnsiConsole.MarkupLine("(--checkpoints FOLDER trains in another folder.)");
            return (null, ExitCodes.BadInput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The disk is full, or a folder cannot be written.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return (null, ExitCodes.Failed);
        }
        catch (ArgumentException e)
        {
            // Data the estimator cannot train on (a graph too small to hold edges out, a column of the wrong type).
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {input}: {e.Message}");
            return (null, ExitCodes.BadInput);
        }
        catch (InvalidOperationException e)
        {
            // Divergence, or a checkpoint made with other options: the message says which and what to do.
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            if (File.Exists(checkpoint)) AnsiConsole.MarkupLine("(--checkpoints FOLDER trains in another folder.)");
            return (null, ExitCodes.Failed);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
