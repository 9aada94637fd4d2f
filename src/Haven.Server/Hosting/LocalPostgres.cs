using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Haven.Server.Hosting;

/// <summary>
/// A private PostgreSQL cluster in a folder of its own, started with the machine's PostgreSQL binaries the way
/// embedded-postgres libraries do: created on first use (initdb, a generated password, TCP on 127.0.0.1 only),
/// reused on later runs, stopped on <see cref="DisposeAsync"/>. PostgreSQL refuses to run as root, so under root
/// every server command runs as the <c>postgres</c> system user, which then owns the data folder.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly string _passwordFile;
    private bool _startedHere;

    private LocalPostgres(string root, int port, ILogger logger)
    {
        Root = Path.GetFullPath(root);
        Port = port;
        _logger = logger;
        _bin = FindBinaries();
        _dataDirectory = Path.Combine(Root, "pg");
        _passwordFile = Path.Combine(Root, "pg-password");
    }

    public string Root { get; }

    public int Port { get; }

    public string Password { get; private set; } = "";

    public string ConnectionString(string database = "haven") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "haven",
            Password = Password,
            Database = database,
            MaxPoolSize = 50,
        }.ConnectionString;

    /// <summary>Creates the cluster if needed, starts it unless it already runs, and makes sure database <c>haven</c> exists.</summary>
    public static async Task<LocalPostgres> StartAsync(string root, int port, ILogger logger, CancellationToken cancellationToken)
    {
        var pg = new LocalPostgres(root, port, logger);
        await pg.StartAsync(cancellationToken);
        return pg;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        if (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            await InitializeAsync(cancellationToken);
        }

        Password = (await File.ReadAllTextAsync(_passwordFile, cancellationToken)).Trim();
        if (!await IsRunningAsync(cancellationToken))
        {
            if (IsPortTaken(Port))
            {
                throw new InvalidOperationException(
                    $"Port {Port} on 127.0.0.1 is taken by another program; set Haven:LocalDatabase:Port to a free port.");
            }

            _logger.LogInformation("Starting private PostgreSQL in {Directory} on 127.0.0.1:{Port}", _dataDirectory, Port);
            await RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60",
                "-o", $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories=''", "start"], cancellationToken);
            _startedHere = true;
        }

        await EnsureDatabaseAsync("haven", cancellationToken);
    }

    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new() { Value = database });
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("Creating private PostgreSQL cluster in {Directory}", _dataDirectory);
        Directory.CreateDirectory(_dataDirectory);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(_passwordFile, password, cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        // initdb reads the password from a file the server user can read; it is deleted right after.
        var initPasswordFile = Path.Combine(_dataDirectory, "..", ".pg-init-password");
        await File.WriteAllTextAsync(initPasswordFile, password, cancellationToken);
        try
        {
            if (IsRoot)
            {
                await CheckServerUserCanReachAsync(cancellationToken);
                await RunRawAsync("chown", ["-R", "postgres:postgres", _dataDirectory, initPasswordFile], cancellationToken);
            }

            await RunAsync("initdb", ["-D", _dataDirectory, "-U", "haven", "--auth=scram-sha-256", $"--pwfile={initPasswordFile}",
                "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
        }
        finally
        {
            File.Delete(initPasswordFile);
        }

        // Small-machine settings: the cluster is private to one developer or one test run.
        await File.AppendAllTextAsync(Path.Combine(_dataDirectory, "postgresql.conf"), """

            # Haven private cluster
            max_connections = 200
            shared_buffers = 256MB
            fsync = on
            synchronous_commit = on
            log_min_duration_statement = -1
            """, cancellationToken);
    }

    private async Task CheckServerUserCanReachAsync(CancellationToken cancellationToken)
    {
        var (code, _) = await TryRunRawAsync("runuser", ["-u", "postgres", "--", "test", "-x", Root], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL runs as the 'postgres' user, which cannot enter {Root} (a parent folder is not searchable). " +
                "Move the checkout under a searchable path, or set ConnectionStrings__Haven to an existing server.");
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        var (code, _) = await TryRunAsync("pg_ctl", ["-D", _dataDirectory, "status"], cancellationToken);
        return code == 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_startedHere)
        {
            return;
        }

        _logger.LogInformation("Stopping private PostgreSQL");
        NpgsqlConnection.ClearAllPools();
        await TryRunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], CancellationToken.None);
        _startedHere = false;
    }

    private static bool IsRoot => Environment.UserName == "root" || geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    private static bool IsPortTaken(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        foreach (var bin in candidates.Append("/usr/local/bin").Append("/usr/bin"))
        {
            if (File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            {
                return bin;
            }
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them (apt-get install -y postgresql) " +
            "or set ConnectionStrings__Haven to an existing server.");
    }

    private async Task RunAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await TryRunAsync(tool, arguments, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} failed with exit code {code}: {output.Trim()}");
        }
    }

    private Task<(int Code, string Output)> TryRunAsync(string tool, string[] arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(_bin, tool);
        return IsRoot
            ? TryRunRawAsync("runuser", ["-u", "postgres", "--", executable, .. arguments], cancellationToken)
            : TryRunRawAsync(executable, arguments, cancellationToken);
    }

    private static async Task RunRawAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await TryRunRawAsync(file, arguments, cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"{file} failed with exit code {code}: {output.Trim()}");
        }
    }

    private static async Task<(int Code, string Output)> TryRunRawAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        // pg_ctl start leaves the server holding inherited pipes open; read only what the tool itself wrote before exiting.
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(500, cancellationToken)) is Task<string[]> both
            ? string.Concat(both.Result)
            : "";
        return (process.ExitCode, output);
    }
}
