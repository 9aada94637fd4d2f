namespace Haven.Platform.Modules;

/// <summary>Shared state of one demo-seeding run: the service scope and the logins to print at the end.</summary>
public sealed class DemoSeedContext(IServiceProvider services)
{
    private readonly List<DemoLogin> _logins = [];

    public IServiceProvider Services { get; } = services;

    public IReadOnlyList<DemoLogin> Logins => _logins;

    public void AddLogin(string module, string role, string login, string password, string? note = null) =>
        _logins.Add(new DemoLogin(module, role, login, password, note));
}

public sealed record DemoLogin(string Module, string Role, string Login, string Password, string? Note);
