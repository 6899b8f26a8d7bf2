using Microsoft.ML;
using Microsoft.ML.Runtime;
using Spectre.Console;

namespace GanExamples;

/// <summary>The <see cref="MLContext"/> the examples train in.</summary>
internal static class ExampleContext
{
    /// <param name="seed">The context's seed; a resumed run needs the one it started with.</param>
    /// <param name="useGpu">Train on CUDA device 0 when the build has CUDA, on the CPU (with a warning) otherwise.</param>
    /// <param name="showInfo">Which of the library's information messages to print, with the time; warnings and errors always are.</param>
    public static MLContext Create(int seed, bool useGpu, Func<string, bool>? showInfo = null)
    {
        var ml = new MLContext(seed);
        if (useGpu)
        {
            ml.GpuDeviceId = 0;
            ml.FallbackToCpu = true;
        }
        ml.Log += (_, e) =>
        {
            if (e.Kind is ChannelMessageKind.Warning or ChannelMessageKind.Error) AnsiConsole.MarkupLineInterpolated($"[yellow]{e.RawMessage}[/]");
            else if (e.Kind == ChannelMessageKind.Info && showInfo?.Invoke(e.RawMessage) == true)
                AnsiConsole.MarkupLineInterpolated($"[grey]{DateTime.Now:HH:mm:ss}[/] {e.RawMessage}");
        };
        return ml;
    }
}
