namespace Haven.Pss;

/// <summary>
/// Counts PSS writes made through this instance. The statistics cache compares the count it computed under with the
/// current one, so a change made here is never served stale; changes made through another instance are picked up
/// when the cached entry expires (see <see cref="PssOptions.StatsCacheSeconds"/>).
/// </summary>
public sealed class PssChanges
{
    private long _generation;

    public long Generation => Interlocked.Read(ref _generation);

    public void Changed() => Interlocked.Increment(ref _generation);
}
