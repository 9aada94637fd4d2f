using Haven.Platform.Identity.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity.Passwords;

/// <summary>
/// Haven's password policy, NIST SP 800-63B style: a minimum length (12) and a maximum (so hashing cost stays bounded),
/// no composition rules, and rejection of passwords that are common, breached or built from the account's own email.
/// Identity's own validator checks the length; this one adds the rest.
/// </summary>
internal sealed class HavenPasswordValidator : IPasswordValidator<HavenUser>
{
    public const int MaxLength = 256;

    public Task<IdentityResult> ValidateAsync(UserManager<HavenUser> manager, HavenUser user, string? password)
    {
        var errors = Check(password ?? "", user.Email).Select(m => new IdentityError { Code = "password_rejected", Description = m }).ToArray();
        return Task.FromResult(errors.Length == 0 ? IdentityResult.Success : IdentityResult.Failed(errors));
    }

    public static IEnumerable<string> Check(string password, string? email)
    {
        if (password.Length > MaxLength)
        {
            yield return $"Use at most {MaxLength} characters.";
        }

        if (CommonPasswords.Contains(password))
        {
            yield return "This password is too common or appeared in a data breach; choose another (a few unrelated words work well).";
        }

        var local = email?.Split('@')[0].ToLowerInvariant();
        if (local is { Length: >= 4 } && password.Contains(local, StringComparison.OrdinalIgnoreCase))
        {
            yield return "The password must not contain your email address.";
        }
    }
}

/// <summary>
/// The bundled list of common and breached passwords (49,233 entries, lower-cased): the <c>passwords.json</c> of the npm
/// package <c>@zxcvbn-ts/language-common</c> 4.1.3 (MIT licence, © Dan Wheeler, Dropbox, Inc. and zxcvbn-ts; see
/// <c>common-passwords.LICENSE.txt</c>), which derives from the Xato 10-million-password corpus of leaked passwords.
/// A password matches when it, or it without trailing digits and symbols ("sunshine2024!" → "sunshine"), is listed.
/// </summary>
public static class CommonPasswords
{
    private static readonly Lazy<HashSet<string>> List = new(Load);

    public static int Count => List.Value.Count;

    public static bool Contains(string password)
    {
        var lower = password.ToLowerInvariant();
        if (List.Value.Contains(lower))
        {
            return true;
        }

        var stem = lower.TrimEnd("0123456789!@#$%^&*()_-+=.?~ ".ToCharArray());
        return stem.Length >= 4 && stem.Length < lower.Length && List.Value.Contains(stem);
    }

    private static HashSet<string> Load()
    {
        var assembly = typeof(CommonPasswords).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("common-passwords.txt", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line);
            }
        }

        return set;
    }
}

/// <summary>
/// Keeps sign-in timing independent of whether the account exists: when there is no real hash to check (unknown
/// account, locked account, account without password) the same PBKDF2 work is done against a dummy hash.
/// </summary>
internal sealed class DummyPasswordHash(IPasswordHasher<HavenUser> hasher)
{
    private readonly Lazy<string> _hash = new(() => hasher.HashPassword(new HavenUser(), Tokens.Secrets.NewToken()));

    public void Verify(string password) => hasher.VerifyHashedPassword(new HavenUser(), _hash.Value, password);
}

/// <summary>Reads the iteration count out of an Identity V3 hash (format marker, PRF, iterations, salt length: big-endian).</summary>
public static class PasswordHashFormat
{
    public static int IterationsOf(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        return bytes[0] == 0x01 ? (bytes[5] << 24) | (bytes[6] << 16) | (bytes[7] << 8) | bytes[8] : 0;
    }
}

internal sealed class ConfigurePasswordHasher(IOptions<HavenIdentityOptions> identity) : IConfigureOptions<PasswordHasherOptions>
{
    public void Configure(PasswordHasherOptions options)
    {
        options.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
        options.IterationCount = identity.Value.PasswordHashIterations;
    }
}
