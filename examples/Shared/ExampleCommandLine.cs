using System.CommandLine;
using Spectre.Console;

namespace GanExamples;

/// <summary>How the example programs read their command line.</summary>
internal static class ExampleCommandLine
{
    /// <summary>Parses <paramref name="args"/>, prints what is wrong with them, or runs <paramref name="action"/>.</summary>
    /// <returns>The action's exit code, or <see cref="ExitCodes.BadInput"/> for arguments that do not parse.</returns>
    public static int Invoke(RootCommand root, string[] args, Func<ParseResult, int> action)
    {
        // Redirected output (logs, CI) gets Spectre's 80-column default, which would wrap the tables and paths printed at the end.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run with --help for the options.");
            return ExitCodes.BadInput;
        }
        root.SetAction(action);
        return parsed.Invoke();
    }

    /// <summary>Prints <paramref name="problem"/> (a settings check's message) as an error, or runs <paramref name="job"/> when there is none.</summary>
    /// <returns>The job's exit code, or <see cref="ExitCodes.BadInput"/> for settings that cannot work.</returns>
    public static int RunChecked(string? problem, Func<int> job)
    {
        if (problem is null) return job();
        Console.Error.WriteLine($"error: {problem}");
        return ExitCodes.BadInput;
    }
}
