namespace Haven.Platform.Files;

/// <summary>What a scanner is told about the file it reads.</summary>
public sealed record FileScanContext(Guid FileId, string Use, string FileName, FileType Type);

/// <summary>A scanner's verdict. An infected file is kept (it may be evidence) but quarantined: nobody can download it.</summary>
public sealed record FileScanResult(bool IsClean, string? Reason)
{
    public static FileScanResult Clean { get; } = new(true, null);

    public static FileScanResult Infected(string reason) => new(false, reason);
}

/// <summary>
/// The scanning hook. <see cref="ScanAsync"/> receives the plaintext as it is uploaded (a stream fed while the file is
/// encrypted and stored; it may stop reading early) and decides before the file becomes available. If it throws, the
/// upload is refused (503 <c>scan_unavailable</c>) and nothing is kept, so no unscanned file is ever served.
/// Register an implementation with <c>services.AddSingleton&lt;IFileScanner, MyScanner&gt;()</c>; the default does nothing.
/// </summary>
public interface IFileScanner
{
    Task<FileScanResult> ScanAsync(FileScanContext context, Stream content, CancellationToken cancellationToken);
}

/// <summary>The default: every file is clean. Replace it with a real scanner where one runs.</summary>
public sealed class NoFileScanner : IFileScanner
{
    public Task<FileScanResult> ScanAsync(FileScanContext context, Stream content, CancellationToken cancellationToken) => Task.FromResult(FileScanResult.Clean);
}
