using System.ComponentModel;
using System.Diagnostics;

namespace GanExamples;

/// <summary>
/// Finds an example's data set, or fetches it into the repository's data folder with the data set's fetch script
/// (<c>examples/data/fetch-*.sh</c>, which downloads from npm or Debian).
/// </summary>
/// <param name="Name">What the data is, for messages (e.g. "emoji").</param>
/// <param name="FetchCommand">The fetch script, relative to the repository root.</param>
/// <param name="DefaultRelativeFolder">Where the script writes by default, relative to the repository root.</param>
/// <param name="Download">The download and what the script needs, for the message before fetching (e.g. "about 140 MB from npm").</param>
/// <param name="FindDefaultFolder">Looks for the default folder from a start directory and its parents (null: not found).</param>
internal sealed record FetchedData(string Name, string FetchCommand, string DefaultRelativeFolder, string Download,
    Func<string, string?> FindDefaultFolder)
{
    /// <summary>The data set, or null after printing why there is none.</summary>
    /// <param name="folder">The --data folder; when given it must hold the data (nothing is downloaded into it).</param>
    /// <param name="open">Opens and checks a folder; throws <see cref="IOException"/> or <see cref="InvalidDataException"/> on bad data.</param>
    public T? Open<T>(string? folder, Func<string, T> open) where T : class
    {
        try
        {
            if (folder is not null) return open(folder);
            // dotnet run keeps the caller's directory; a published copy only knows where it lives.
            string? found = FindDefaultFolder(Directory.GetCurrentDirectory()) ?? FindDefaultFolder(AppContext.BaseDirectory);
            if (found is not null) return open(found);

            string? root = RepositoryRoot();
            if (root is null)
            {
                Console.Error.WriteLine($"error: no {DefaultRelativeFolder} found here or above, and no {FetchCommand} to fetch it. " +
                    "Pass --data FOLDER, a folder written by that script.");
                return null;
            }
            string target = Path.Combine(root, DefaultRelativeFolder);
            return Fetch(root, target) ? open(target) : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    private string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, FetchCommand))) return dir.FullName;
        return null;
    }

    private bool Fetch(string root, string target)
    {
        string script = Path.Combine(root, FetchCommand);
        Console.WriteLine($"No {Name} data in {target}; fetching it with {FetchCommand} ({Download}) ...");
        try
        {
            using var process = Process.Start(new ProcessStartInfo("bash") { ArgumentList = { script, target }, UseShellExecute = false })!;
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
