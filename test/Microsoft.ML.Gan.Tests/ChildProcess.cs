using System.Diagnostics;
using System.Reflection;

namespace Microsoft.ML.Gan.Tests;

/// <summary>
/// Runs one of the test programs (test/Microsoft.ML.Gan.RoundTrip, test/Microsoft.ML.Gan.FreshProcess) as a child
/// process. The test project builds them (project references with <c>ReferenceOutputAssembly=false</c>) and records
/// where each lands in an assembly attribute.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Full path of the program recorded under <paramref name="key"/> in the test assembly's metadata.</summary>
    public static string ProgramPath(string key) => typeof(ChildProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    /// <summary>
    /// Runs <c>dotnet <paramref name="programPath"/> <paramref name="args"/></c> in <paramref name="workingDirectory"/>,
    /// with <paramref name="environment"/>'s variables set (a null value removes the variable); returns its standard
    /// output. Throws if the program is missing, runs past <paramref name="timeout"/> or exits with another code than 0.
    /// </summary>
    public static string Run(string programPath, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        string name = Path.GetFileNameWithoutExtension(programPath);
        if (!File.Exists(programPath))
            throw new FileNotFoundException($"The test program {name} was not built ({programPath}).", programPath);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.ArgumentList.Add(programPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(variable);
            else start.Environment[variable] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} ran past {timeout}.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{name} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
