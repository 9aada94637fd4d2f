using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Files;

/// <summary>
/// One purpose files are stored for (<c>kintaraa.evidence</c>, <c>ndas.clinical_media</c>, <c>lers.response_document</c>),
/// with the content types it accepts and its size limit. Declared by the module at start-up with <see cref="FileUseExtensions.AddHavenFileUse"/>.
/// </summary>
public sealed partial record FileUse
{
    public const long DefaultMaxBytes = 50L * 1024 * 1024;

    public FileUse(string name, IEnumerable<FileType> allowedTypes, long maxBytes = DefaultMaxBytes)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"File use '{name}' must be '<module>.<purpose>' in lower case.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        Name = name;
        AllowedTypes = allowedTypes.ToHashSet();
        if (AllowedTypes.Count == 0)
        {
            throw new ArgumentException("A file use must allow at least one type.", nameof(allowedTypes));
        }

        MaxBytes = maxBytes;
    }

    public string Name { get; }

    public IReadOnlySet<FileType> AllowedTypes { get; }

    public long MaxBytes { get; }

    public string Module => Name[..Name.IndexOf('.')];

    [GeneratedRegex("^[a-z][a-z0-9_]*\\.[a-z0-9_.]+$")]
    private static partial Regex NamePattern();
}

public static class FileUseExtensions
{
    /// <summary>Declares a file use; <see cref="IFileStore.SaveAsync"/> refuses names not declared.</summary>
    public static IServiceCollection AddHavenFileUse(this IServiceCollection services, FileUse use)
    {
        services.AddSingleton(use);
        return services;
    }
}

/// <summary>Settings under <c>Haven:Files</c>.</summary>
public sealed class HavenFileOptions
{
    public const string Section = "Haven:Files";

    /// <summary><c>Local</c> (default: a folder on this machine) or <c>S3</c> (any S3-compatible service).</summary>
    public FileBackend Backend { get; set; } = FileBackend.Local;

    /// <summary>Folder for the local backend (created if missing; relative paths are under the working directory).</summary>
    [Required]
    public string LocalPath { get; set; } = Path.Combine(".data", "files");

    public S3FileOptions S3 { get; set; } = new();

    /// <summary>Malware scanning with ClamAV's daemon; off unless <see cref="ClamAvOptions.Host"/> is set.</summary>
    public ClamAvOptions ClamAv { get; set; } = new();

    /// <summary>Plaintext bytes per encrypted chunk: the unit of random access (Range requests) and of authentication.</summary>
    [Range(4 * 1024, 4 * 1024 * 1024)]
    public int ChunkSize { get; set; } = 64 * 1024;

    /// <summary>An upload still unfinished after this long is an orphan (its process died): the sweeper removes it.</summary>
    public TimeSpan OrphanAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the sweeper looks for orphans.</summary>
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromHours(1);
}

public enum FileBackend
{
    Local,
    S3,
}

/// <summary>An S3-compatible bucket, addressed path-style at a custom endpoint (MinIO, Ceph, s3rver, AWS).</summary>
public sealed class S3FileOptions
{
    /// <summary>e.g. <c>https://s3.eu-west-1.amazonaws.com</c> or <c>http://127.0.0.1:9000</c>.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id; a secret: set it through the environment (<c>Haven__Files__S3__AccessKey</c>), never in the repo.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key; a secret, like <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Bytes buffered per multipart part (S3's minimum is 5 MiB); smaller objects go up in one PUT.</summary>
    [Range(5 * 1024 * 1024, 512 * 1024 * 1024)]
    public int PartSize { get; set; } = 16 * 1024 * 1024;
}
