using System.Diagnostics;
using System.Reflection;

namespace Dht.Cli.Tests;

/// <summary>
/// Finds the <c>dht</c> command as its own project built it (this project references it, so building the
/// tests builds it) and says how to start it: the native launcher when there is one, else <c>dotnet dht.dll</c>.
/// </summary>
internal static class CliExecutable
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        string directory = OutputDirectory();
        string launcher = Path.Combine(directory, OperatingSystem.IsWindows() ? "dht.exe" : "dht");
        string assembly = Path.Combine(directory, "dht.dll");
        ProcessStartInfo info;
        if (File.Exists(launcher))
        {
            info = new ProcessStartInfo(launcher);
        }
        else if (File.Exists(assembly))
        {
            info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet");
            info.ArgumentList.Add(assembly);
        }
        else
        {
            throw new FileNotFoundException($"The dht command is not built in {directory}; build tests/Dht.Cli.Tests first.");
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = directory;

        // A node given neither --data-dir nor --in-memory keeps its state in the user's data folder: point
        // that at a folder of this test run, so that tests never write to the real home folder.
        info.Environment["XDG_DATA_HOME"] = DataHome.Value;
        return info;
    }

    private static readonly Lazy<string> DataHome = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"dht-cli-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
                // A node still shutting down may hold a file; the temporary folder is cleaned up by the system.
            }
        };
        return path;
    });

    private static string OutputDirectory()
    {
        string root = RepositoryRoot();
        return Path.Combine(root, "src", "Dht.Cli", "bin", Metadata("Configuration"), Metadata("TargetFramework"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "dht.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No dht.slnx above {AppContext.BaseDirectory}");
    }

    private static string Metadata(string key) =>
        typeof(CliExecutable).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is empty");
}
