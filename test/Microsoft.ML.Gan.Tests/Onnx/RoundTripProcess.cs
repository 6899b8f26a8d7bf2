using System.Text.Json;
using Microsoft.ML.Gan.RoundTrip;

namespace Microsoft.ML.Gan.Tests.Onnx;

/// <summary>
/// Runs test/Microsoft.ML.Gan.RoundTrip as a child process: a fresh .NET process with ML.NET and ONNX Runtime but
/// no Microsoft.ML.Gan, which loads a model zip and scores rows (see <see cref="ChildProcess"/>).
/// </summary>
internal static class RoundTripProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Full path of <c>Microsoft.ML.Gan.RoundTrip.dll</c>.</summary>
    public static string ProgramPath { get; } = ChildProcess.ProgramPath("RoundTripProgram");

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
        ChildProcess.Run(ProgramPath, [modelPath, input, output, inputColumn, outputColumn], Timeout, folder);
        return output;
    }
}
