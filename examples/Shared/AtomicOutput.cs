namespace GanExamples;

/// <summary>
/// Writes an output file as the library writes its own (its helper is internal): into a hidden temporary file beside
/// it, then renamed over it, so an error or Ctrl+C while writing never leaves half a model zip or table behind.
/// </summary>
internal static class AtomicOutput
{
    /// <param name="path">The file to write; its folder is created if needed.</param>
    /// <param name="write">Writes the whole content to the path it is given, and closes it.</param>
    public static void Write(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary); // nothing left to delete after the rename
        }
    }
}
