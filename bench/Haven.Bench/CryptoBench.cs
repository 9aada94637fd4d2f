using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Haven.Platform.Files;

namespace Haven.Bench;

/// <summary>
/// The upload path's per-byte work (SHA-256 + AES-256-GCM sealing of 64 KiB chunks, <see cref="FileCipher.EncryptAsync"/>)
/// and the download path's (chunk authentication + decryption + whole-file SHA-256, <see cref="DecryptingStream"/>),
/// single-threaded and in memory, beside <c>openssl speed</c> for AES-256-GCM and SHA-256 on the same 64 KiB buffers.
/// Rates are per CPU second (this process's processor time), as <c>openssl speed</c> measures by default, so a
/// machine shared with other work compares like with like.
/// </summary>
public static partial class CryptoBench
{
    private const int ChunkSize = 64 * 1024;

    public static async Task<int> RunAsync(int gib)
    {
        var total = gib * 1024L * 1024 * 1024;
        var block = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        var key = RandomNumberGenerator.GetBytes(FileCipher.DataKeySize);
        var id = Guid.NewGuid();
        Console.WriteLine($"File encryption throughput, {gib} GiB through one core, 64 KiB chunks ({Environment.ProcessorCount} cores, .NET {Environment.Version})");

        // Warm-up: JIT and AES-NI paths.
        await EncryptAsync(new RepeatingStream(block, 256L * 1024 * 1024), id, key);
        var encrypt = await EncryptAsync(new RepeatingStream(block, total), id, key);
        var seal = SealOnly(block, total, id, key);

        var ciphertext = new MemoryStream();
        await FileCipher.EncryptAsync(new RepeatingStream(block, 256L * 1024 * 1024), id, key, ChunkSize, long.MaxValue,
            (data, ct) => ciphertext.WriteAsync(data, ct), null, CancellationToken.None);
        var decrypt = await DecryptAsync(ciphertext.ToArray(), 256L * 1024 * 1024, id, key, total);

        var opensslGcm = OpenSsl("aes-256-gcm");
        var opensslSha = OpenSsl("sha256");
        var combined = 1 / ((1 / opensslGcm) + (1 / opensslSha));
        Console.WriteLine();
        Console.WriteLine($"  {"",-52} {"MB per CPU second",18}");
        Console.WriteLine($"  {"Haven upload path (SHA-256 + AES-256-GCM seal)",-52} {encrypt,18:F0}");
        Console.WriteLine($"  {"Haven download path (GCM open + SHA-256 check)",-52} {decrypt,18:F0}");
        Console.WriteLine($"  {"Haven chunk sealing alone (FileCipher.EncryptChunk)",-52} {seal,18:F0}");
        Console.WriteLine($"  {"openssl speed -evp aes-256-gcm -bytes 65536",-52} {opensslGcm,18:F0}");
        Console.WriteLine($"  {"openssl speed -evp sha256 -bytes 65536",-52} {opensslSha,18:F0}");
        Console.WriteLine($"  {"openssl AES-256-GCM and SHA-256 in sequence (derived)",-52} {combined,18:F0}");
        Console.WriteLine();
        Console.WriteLine($"  sealing alone = {seal / opensslGcm:P0} of openssl's AES-256-GCM; upload path = {encrypt / combined:P0} of openssl doing both operations");
        return 0;
    }

    private static async Task<double> EncryptAsync(Stream source, Guid id, byte[] key)
    {
        var watch = CpuWatch.Start();
        var result = await FileCipher.EncryptAsync(source, id, key, ChunkSize, long.MaxValue, (_, _) => ValueTask.CompletedTask, null, CancellationToken.None);
        return result!.Value.Length / watch.Seconds / 1e6;
    }

    /// <summary>AES-256-GCM on 64 KiB chunks exactly as the upload path seals them, without the hash or the stream plumbing.</summary>
    private static double SealOnly(byte[] block, long total, Guid id, byte[] key)
    {
        using var aes = new AesGcm(key, FileCipher.TagSize);
        var header = FileCipher.Header(id, ChunkSize);
        var output = new byte[ChunkSize + FileCipher.TagSize];
        var chunks = total / ChunkSize;
        var watch = CpuWatch.Start();
        for (long i = 0; i < chunks; i++)
        {
            var offset = (int)(i * ChunkSize % block.Length);
            FileCipher.EncryptChunk(aes, header, i, i == chunks - 1, block.AsSpan(offset, ChunkSize), output);
        }

        return chunks * ChunkSize / watch.Seconds / 1e6;
    }

    private static async Task<double> DecryptAsync(byte[] ciphertext, long length, Guid id, byte[] key, long total)
    {
        var storage = new MemoryStorage(ciphertext);
        var sha = await Sha256Async(length, ciphertext, id, key);
        var buffer = new byte[ChunkSize];
        var rounds = (int)Math.Max(1, total / length);
        var watch = CpuWatch.Start();
        for (var i = 0; i < rounds; i++)
        {
            await using var stream = new DecryptingStream(storage, "bench/object", id, ChunkSize, length, sha, key.ToArray());
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        }

        return rounds * length / watch.Seconds / 1e6;
    }

    private static async Task<byte[]> Sha256Async(long length, byte[] ciphertext, Guid id, byte[] key)
    {
        using var plain = new MemoryStream();
        await FileCipher.DecryptAsync(new MemoryStream(ciphertext), plain, key, id);
        return length == plain.Length ? SHA256.HashData(plain.ToArray()) : throw new InvalidOperationException("round trip failed");
    }

    /// <summary>openssl's own figure for 64 KiB buffers, in MB/s (openssl reports thousands of bytes per second).</summary>
    private static double OpenSsl(string algorithm)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "speed", "-evp", algorithm, "-bytes", "65536", "-seconds", "3" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = ResultLine().Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 1000
            : throw new InvalidOperationException("Could not read openssl's result:\n" + output);
    }

    [GeneratedRegex(@"\s([\d.]+)k\s*$", RegexOptions.Multiline)]
    private static partial Regex ResultLine();

    /// <summary>Processor time of this process since <see cref="Start"/>.</summary>
    private readonly struct CpuWatch(TimeSpan start)
    {
        public double Seconds => (Process.GetCurrentProcess().TotalProcessorTime - start).TotalSeconds;

        public static CpuWatch Start() => new(Process.GetCurrentProcess().TotalProcessorTime);
    }

    /// <summary>The same random block again and again, up to a length: gigabytes of input without gigabytes of memory.</summary>
    private sealed class RepeatingStream(byte[] block, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var remaining = (int)Math.Min(buffer.Length, length - _position);
            var offset = (int)(_position % block.Length);
            var take = Math.Min(remaining, block.Length - offset);
            block.AsSpan(offset, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class MemoryStorage(byte[] ciphertext) : IObjectStorage
    {
        public string Name => "memory";

        public Task<IObjectUpload> BeginUploadAsync(string key, Func<string, CancellationToken, Task> multipartStarted, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<Stream> OpenReadAsync(string key, long offset, CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(ciphertext, (int)offset, ciphertext.Length - (int)offset, writable: false));

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task DeleteAsync(string key, string? unfinishedUploadId, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CheckAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
