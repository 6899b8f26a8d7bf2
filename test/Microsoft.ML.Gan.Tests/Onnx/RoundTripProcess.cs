using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML.Gan.RoundTrip;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>
/// Runs test/Microsoft.ML.Gan.RoundTrip as a child process: a fresh .NET process with ML.NET and ONNX Runtime but
/// no Microsoft.ML.Gan, which loads a model zip and scores rows. The test project builds it (a project reference
/// with <c>ReferenceOutputAssembly=false</c>) and records where it lands in an assembly attribute.
/// </summary>
internal static class RoundTripProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Full path of <c>Microsoft.ML.Gan.RoundTrip.dll</c>.</summary>
    public static string ProgramPath { get; } = typeof(RoundTripProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RoundTripProgram").Value!;

    /// <summary>The folder the child process loads its assemblies from.</summary>
    public static string ProgramFolder => Path.GetDirectoryName(ProgramPath)!;

    /// <summary>Scores float-vector rows with the zip at <paramref name="modelPath"/>; returns the output column's rows.</summary>
    public static float[][] Score(string modelPath, IReadOnlyList<float[]> rows, string inputColumn, string outputColumn) =>
        InTempFolder(folder =>
        {
            var input = Path.Combine(folder, "input.bin");
            RowFile.Write(input, rows);
            return RowFile.Read(Run(modelPath, input, Path.Combine(folder, "output.bin"), folder, inputColumn, outputColumn));
        });

    /// <summary>Scores image files: <paramref name="inputColumn"/> is the model's text column of paths.</summary>
    public static float[][] ScoreImages(string modelPath, IEnumerable<string> imagePaths, string inputColumn, string outputColumn) =>
        InTempFolder(folder =>
        {
            var input = Path.Combine(folder, "images.txt");
            File.WriteAllLines(input, imagePaths);
            return RowFile.Read(Run(modelPath, input, Path.Combine(folder, "output.bin"), folder, inputColumn, outputColumn));
        });

    /// <summary>
    /// Scores text rows (any strings) with the zip's Text input column <paramref name="inputColumn"/>; returns, per
    /// output column, its rows as JSON: a string per row for text, an array of floats per row for numbers.
    /// </summary>
    public static Dictionary<string, JsonElement[]> ScoreTexts(string modelPath, IReadOnlyList<string> texts, string inputColumn, params string[] outputColumns) =>
        InTempFolder(folder =>
        {
            var input = Path.Combine(folder, "input.json");
            File.WriteAllText(input, JsonSerializer.Serialize(texts));
            var output = Run(modelPath, input, Path.Combine(folder, "output.json"), folder, inputColumn, string.Join(',', outputColumns));
            return JsonSerializer.Deserialize<Dictionary<string, JsonElement[]>>(File.ReadAllText(output))!;
        });

    private static T InTempFolder<T>(Func<string, T> run)
    {
        var folder = Directory.CreateTempSubdirectory("roundtrip-");
        try { return run(folder.FullName); }
        finally { folder.Delete(recursive: true); }
    }

    /// <returns><paramref name="output"/>, written by the program.</returns>
    private static string Run(string modelPath, string input, string output, string folder, string inputColumn, string outputColumn)
    {
        if (!File.Exists(ProgramPath))
            throw new FileNotFoundException($"The round-trip program was not built; build test/Microsoft.ML.Gan.RoundTrip ({ProgramPath}).", ProgramPath);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var arg in new[] { ProgramPath, modelPath, input, output, inputColumn, outputColumn })
            start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The round-trip program ran past {Timeout}.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The round-trip program exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return output;
    }
}
