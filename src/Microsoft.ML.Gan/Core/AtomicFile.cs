namespace Microsoft.ML.Gan.Core;

/// <summary>
/// Replaces a file through a temporary file in the same folder and a rename, so a reader or a crash never sees half a
/// file, and a failed write leaves the old file as it was and no temporary file behind.
/// </summary>
internal static class AtomicFile
{
    /// <param name="path">The file to write; its folder is created if needed.</param>
    /// <param name="write">Writes the whole content to the path it is given, and closes it.</param>
    public static void Write(string path, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        // Same folder, so the rename stays on one file system and is atomic; a unique name, so neither two writers of
        // one path nor a user's own "<name>.tmp" collide with it.
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
