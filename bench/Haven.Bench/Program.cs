using Haven.Bench;

// Each benchmark prints its figures beside a baseline measured in the same run (bench/README.md).
return args.FirstOrDefault() switch
{
    "crypto" => await CryptoBench.RunAsync(Option(args, "--gib", 2)),
    "audit-verify" => await AuditBench.VerifyAsync(Option(args, "--entries", 1_000_000)),
    "audit-append" => await AuditBench.AppendAsync(Option(args, "--seconds", 10), Option(args, "--writers", 8)),
    "files-memory" => await FilesMemoryBench.RunAsync(Option(args, "--gib", 2), args.Contains("--s3")),
    "serve-files" => await FilesMemoryBench.ServeAsync(args[1..]),
    _ => Usage(),
};

static int Option(string[] args, string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static int Usage()
{
    Console.Error.WriteLine("""
        dotnet run -c Release --project bench/Haven.Bench -- <benchmark>
          crypto        [--gib 2]          file encryption throughput vs openssl speed -evp aes-256-gcm
          audit-verify  [--entries N]      chain verification of N entries (default 1,000,000) vs a plain scan
          audit-append  [--seconds 10] [--writers 8]   chained appends vs plain inserts
          files-memory  [--gib 2] [--s3]   peak memory of the server during a 2 GiB upload and download over HTTP
        """);
    return 2;
}
