using System.Diagnostics;
using System.Reflection;
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
            return Run(modelPath, input, folder, inputColumn, outputColumn);
        });

    /// <summary>Scores image files: <paramref name="inputColumn"/> is the model's text column of paths.</summary>
    public static float[][] ScoreImages(string modelPath, IEnumerable<string> imagePaths, string inputColumn, string outputColumn) =>
        InTempFolder(folder =>
        {
            var input = Path.Combine(folder, "images.txt");
            File.WriteAllLines(input, imagePaths);
            return Run(modelPath, input, folder, inputColumn, outputColumn);
        });

    private static float[][] InTempFolder(Func<string, float[][]> run)
    {
        var folder = Directory.CreateTempSubdirectory("roundtrip-");
        try { return run(folder.FullName); }
        finally { folder.Delete(recursive: true); }
    }

    private static float[][] Run(string modelPath, string input, string folder, string inputColumn, string outputColumn)
    {
        if (!File.Exists(ProgramPath))
            throw new FileNotFoundException($"The round-trip program was not built; build test/Microsoft.ML.Gan.RoundTrip ({ProgramPath}).", ProgramPath);
        var output = Path.Combine(folder, "output.bin");
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
        return RowFile.Read(output);
    }
}
