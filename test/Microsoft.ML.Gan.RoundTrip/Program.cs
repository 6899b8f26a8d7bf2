// Loads an ML.NET model zip with a fresh MLContext, as a user's application would, scores rows read from a file and
// writes one output column back. It references ML.NET and ONNX Runtime only, so a zip that scores here carries
// everything it needs (no Microsoft.ML.Gan code is involved).
//
// Usage: Microsoft.ML.Gan.RoundTrip <model.zip> <input> <output.bin> <inputColumn> <outputColumn>
//   <input> is either a .bin of float vectors (see RowFile) for a vector input column, or a .txt listing image files,
//   one a line, for a text input column of image paths (a model that starts with LoadImages).
//   <inputColumn> may name several scalar numeric columns separated by commas; each row of the .bin then holds one
//   value per column.
//   <output.bin> receives the output column as float vectors; an image column is written as its pixels, planar
//   R, G, B, 0…255 (what ExtractPixels gives by default).
//   Text rows instead: <input> a .json array of strings for a text input column (any strings, empty ones too), and
//   <output.json> receives an object with one array per output column named in <outputColumn> (comma-separated):
//   a string per row for a text column, an array of floats per row for a numeric one (see TextRows).
// Exit codes: 0 done, 1 bad usage, 2 the model or the data did not fit.

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Gan.RoundTrip;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Microsoft.ML.Gan.RoundTrip <model.zip> <input.bin|image-paths.txt> <output.bin> <inputColumn> <outputColumn>");
    return 1;
}
var (modelPath, inputPath, outputPath, inputColumn, outputColumn) = (args[0], args[1], args[2], args[3], args[4]);

try
{
    var mlContext = new MLContext(seed: 0);
    // ML.NET finds a saved transformer's loader among the assemblies it was told about; a process that has not yet
    // touched the ONNX or image transforms has not loaded their assemblies, so name them.
    mlContext.ComponentCatalog.RegisterAssembly(typeof(OnnxTransformer).Assembly);
    mlContext.ComponentCatalog.RegisterAssembly(typeof(ImagePixelExtractingTransformer).Assembly);

    var model = mlContext.Model.Load(modelPath, out var inputSchema);
    if (inputPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
    {
        var texts = TextRows.FromJson(mlContext, inputColumn, inputSchema, inputPath);
        TextRows.WriteJson(model.Transform(texts), outputColumn.Split(','), outputPath);
        return 0;
    }
    if (inputColumn.Contains(','))
    {
        // Several scalar columns (e.g. NetGAN's source and target): each row of input.bin holds one value per column.
        var scalars = Rows.FromScalars(mlContext, inputColumn.Split(','), inputSchema, RowFile.Read(inputPath));
        var rows = Rows.ReadColumn(model.Transform(scalars), outputColumn);
        RowFile.Write(outputPath, rows);
        return 0;
    }
    var inputType = inputSchema.GetColumnOrNull(inputColumn)?.Type
        ?? throw new InvalidDataException($"The model's input schema has no column '{inputColumn}'; it has: {string.Join(", ", inputSchema.Select(c => c.Name))}.");

    IDataView input = inputType switch
    {
        VectorDataViewType { ItemType: NumberDataViewType n } v when n.RawType == typeof(float) =>
            Rows.FromVectors(mlContext, inputColumn, v, RowFile.Read(inputPath)),
        TextDataViewType =>
            Rows.FromPaths(mlContext, inputColumn, File.ReadAllLines(inputPath).Where(l => l.Length > 0)),
        _ => throw new InvalidDataException($"Input column '{inputColumn}' is {inputType}; this program feeds float vectors or image paths."),
    };

    var scored = model.Transform(input);
    var outputRows = Rows.ReadColumn(scored, outputColumn);
    RowFile.Write(outputPath, outputRows);
    Console.WriteLine($"{outputRows.Count} row(s) of '{outputColumn}' written to {outputPath}");
    return 0;
}
catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException or IOException)
{
    Console.Error.WriteLine(e);
    return 2;
}
