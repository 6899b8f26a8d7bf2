using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML.Gan;

namespace CycleGanEmoji;

/// <summary>Finds the emoji data set, or fetches it into the repository's data/emoji with the fetch script.</summary>
internal static class EmojiDataLocator
{
    /// <summary>The data set, or null after printing why there is none.</summary>
    /// <param name="folder">The --data folder; when given it must hold the data (nothing is downloaded into it).</param>
    public static EmojiDataset? Open(string? folder)
    {
        try
        {
            if (folder is not null) return EmojiDataset.Open(folder);
            // dotnet run keeps the caller's directory; a published copy only knows where it lives.
            string? found = EmojiDataset.FindDefaultFolder() ?? EmojiDataset.FindDefaultFolder(AppContext.BaseDirectory);
            if (found is not null) return EmojiDataset.Open(found);

            string? root = RepositoryRoot();
            if (root is null)
            {
                Console.Error.WriteLine($"error: no {EmojiDataset.DefaultRelativeFolder} found here or above, and no {EmojiDataset.FetchCommand} to fetch it. " +
                    "Pass --data FOLDER, a folder written by that script.");
                return null;
            }
            string target = Path.Combine(root, EmojiDataset.DefaultRelativeFolder);
            return Fetch(root, target) ? EmojiDataset.Open(target) : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, EmojiDataset.FetchCommand))) return dir.FullName;
        return null;
    }

    private static bool Fetch(string root, string target)
    {
        string script = Path.Combine(root, EmojiDataset.FetchCommand);
        Console.WriteLine($"No emoji data in {target}; fetching it with {EmojiDataset.FetchCommand} (about 140 MB, needs npm) ...");
        try
        {
            using var process = Process.Start(new ProcessStartInfo("bash") { ArgumentList = { script, target }, UseShellExecute = false })!;
            process.WaitForExit();
            if (process.ExitCode == 0) return true;
            Console.Error.WriteLine($"error: {EmojiDataset.FetchCommand} failed (exit code {process.ExitCode}); see its message above. " +
                "Fix that and run this again, or pass --data FOLDER.");
        }
        catch (Win32Exception e)
        {
            Console.Error.WriteLine($"error: could not run bash for {EmojiDataset.FetchCommand}: {e.Message}. Pass --data FOLDER instead.");
        }
        return false;
    }
}
