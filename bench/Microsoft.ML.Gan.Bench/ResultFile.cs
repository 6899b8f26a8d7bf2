using System.Text.Json;

namespace Microsoft.ML.Gan.Bench;

internal static class ResultFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void WriteJson(string path, object value)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, JsonSerializer.Serialize(value, Json) + "\n");
        Console.WriteLine($"wrote {full}");
    }

    public static string CommandLine() => "dotnet run -c Release --project bench/Microsoft.ML.Gan.Bench -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
}
