using System.ComponentModel;
using System.Diagnostics;

namespace WaveGanDrums;

/// <summary>Finds the drum one-shots (a folder with clips.tsv), or fetches them into data/drums with the fetch script.</summary>
internal static class DrumData
{
    public const string FetchCommand = "examples/data/fetch-drums.sh";
    public const string ListFile = "clips.tsv";
    private static readonly string DefaultRelativeFolder = Path.Combine("data", "drums");

    /// <summary>The data folder, or null after printing why there is none.</summary>
    /// <param name="folder">The --data folder; when given it must hold clips.tsv (nothing is downloaded into it).</param>
    public static string? Locate(string? folder)
    {
        if (folder is not null)
        {
            if (File.Exists(Path.Combine(folder, ListFile))) return Path.GetFullPath(folder);
            Console.Error.WriteLine($"error: --data {folder} has no {ListFile}; it should be a folder written by {FetchCommand}.");
            return null;
        }
        // dotnet run keeps the caller's directory; a published copy only knows where it lives.
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DefaultRelativeFolder);
                if (File.Exists(Path.Combine(candidate, ListFile))) return candidate;
                if (File.Exists(Path.Combine(dir.FullName, FetchCommand))) return Fetch(dir.FullName, candidate) ? candidate : null;
            }
        Console.Error.WriteLine($"error: no {DefaultRelativeFolder} found here or above, and no {FetchCommand} to fetch it. " +
            "Pass --data FOLDER, a folder written by that script.");
        return null;
    }

    private static bool Fetch(string root, string target)
    {
        Console.WriteLine($"No drums in {target}; fetching them with {FetchCommand} (about 160 MB of Debian packages) ...");
        try
        {
            using var process = Process.Start(new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(root, FetchCommand), target }, UseShellExecute = false })!;
            process.WaitForExit();
            if (process.ExitCode == 0) return true;
            Console.Error.WriteLine($"error: {FetchCommand} failed (exit code {process.ExitCode}); see its message above. " +
                "Fix that and run this again, or pass --data FOLDER.");
        }
        catch (Win32Exception e)
        {
            Console.Error.WriteLine($"error: could not run bash for {FetchCommand}: {e.Message}. Pass --data FOLDER instead.");
        }
        return false;
    }
}
