using System.Diagnostics;
using System.Text;

namespace Dht.Tests.Interop;

// Finding the driver's folder, installing its packages once across tests and processes, and probing for Node.js.
internal sealed partial class WebTorrentPeer
{
    private const string DriverFolder = "tests/interop/webtorrent";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private static readonly Lazy<bool> NodeAvailable = new(ProbeNode);

    /// <summary>True when <c>node --version</c> runs.</summary>
    public static bool IsNodeAvailable() => NodeAvailable.Value;

    /// <summary>Finds <c>tests/interop/webtorrent</c> and installs its packages (<c>npm ci</c>) unless already
    /// there. Safe to call from concurrent tests and processes. Returns the folder.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken ct)
    {
        var folder = FindDriverFolder();
        if (IsInstalled(folder))
        {
            return folder;
        }

        await InstallLock.WaitAsync(ct);
        try
        {
            // A lock file across processes too: two test assemblies may start at once.
            await using var fileLock = await AcquireFileLockAsync(folder, ct);
            if (!IsInstalled(folder))
            {
                await RunNpmCiAsync(folder, ct);
            }

            return folder;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string FindDriverFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, DriverFolder);
            if (File.Exists(Path.Combine(candidate, "driver.mjs")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{DriverFolder}/driver.mjs not found above {AppContext.BaseDirectory}");
    }

    // npm writes node_modules/.package-lock.json last, so its presence means a finished install.
    private static bool IsInstalled(string folder) =>
        File.Exists(Path.Combine(folder, "node_modules", ".package-lock.json"))
        && File.Exists(Path.Combine(folder, "node_modules", "bittorrent-dht", "package.json"));

    private static async Task<FileStream> AcquireFileLockAsync(string folder, CancellationToken ct)
    {
        var name = "dht-webtorrent-install-"
            + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..16]
            + ".lock";
        var path = Path.Combine(Path.GetTempPath(), name);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }
    }

    private static async Task RunNpmCiAsync(string folder, CancellationToken ct)
    {
        var start = new ProcessStartInfo("npm")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
        {
            start.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        var stdout = npm.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = npm.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await npm.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw;
        }

        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"npm ci in {folder} failed with exit code {npm.ExitCode}\n{await stdout}\n{await stderr}");
        }
    }

    private static bool ProbeNode()
    {
        try
        {
            var start = new ProcessStartInfo("node")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("--version");
            using var node = Process.Start(start);
            if (node is null)
            {
                return false;
            }

            if (!node.WaitForExit(10_000))
            {
                node.Kill(entireProcessTree: true);
                return false;
            }

            return node.ExitCode == 0 && node.StandardOutput.ReadToEnd().StartsWith('v');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
