using Haven.Platform.Data;
using Haven.Platform.Identity.Accounts;
using Haven.Platform.Identity.Audit;
using Haven.Platform.Identity.Authentication;
using Haven.Platform.Identity.Data;
using Haven.Platform.Identity.Endpoints;
using Haven.Platform.Identity.Mail;
using Haven.Platform.Identity.Mfa;
using Haven.Platform.Identity.Passwords;
using Haven.Platform.Identity.Sessions;
using Haven.Platform.Identity.Tokens;
using Haven.Platform.Modules;
using Haven.Platform.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Haven.Platform.Identity;

/// <summary>Registers identity and access (called once from <c>PlatformServices</c>) and maps its endpoints.</summary>
public static class IdentityServices
{
    public static IServiceCollection AddHavenIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HavenIdentityOptions>().Bind(configuration.GetSection(HavenIdentityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHavenKey(TokenSigner.KeyName, "signs access tokens and sign-in challenges");

        var identity = configuration.GetSection(HavenIdentityOptions.Section).Get<HavenIdentityOptions>() ?? new HavenIdentityOptions();
        services.AddIdentityCore<HavenUser>(o =>
            {
                o.Password.RequiredLength = identity.PasswordMinLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                // Uniqueness is the unique index on normalized_email; anonymous survivors have no email at all.
                o.User.RequireUniqueEmail = false;
                o.User.AllowedUserNameCharacters = "";
                // Lockout is Haven's own progressive one (LoginGuard).
                o.Lockout.AllowedForNewUsers = false;
            })
            .AddEntityFrameworkStores<PlatformDbContext>()
            .AddPasswordValidator<HavenPasswordValidator>();
        services.AddSingleton<IConfigureOptions<PasswordHasherOptions>, ConfigurePasswordHasher>();
        // Stateless; a singleton so the dummy hash for unknown accounts can be made once.
        services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<HavenUser>, PasswordHasher<HavenUser>>());

        services.AddSingleton<TokenSigner>();
        services.AddSingleton<SessionStateCache>();
        services.AddSingleton<DummyPasswordHash>();
        services.AddSingleton(sp => new PortalSignIn(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<TokenSigner>()));
        services.AddSingleton<AccountMailer>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountMailer>());
        services.AddScoped<SessionService>();
        services.AddScoped<SessionValidator>();
        services.AddScoped<LoginGuard>();
        services.AddScoped<LoginAudit>();
        services.AddScoped<IdentityAudit>();
        services.AddScoped<MfaService>();
        services.AddScoped<MfaEnrolmentFlow>();
        services.AddScoped<LoginService>();
        services.AddScoped<AccountService>();
        services.AddScoped(sp => new UserAdministration(
            sp.GetRequiredService<ICurrentUser>(), sp.GetRequiredService<PlatformDbContext>(), sp.GetRequiredService<AccountService>(),
            sp.GetRequiredService<SessionService>(), sp.GetRequiredService<IdentityAudit>(), sp.GetRequiredService<TimeProvider>()));
        services.AddScoped<IUserProvisioning, UserProvisioning>();
        services.AddScoped<IUserDirectory, UserDirectory>();
        services.AddScoped<IDemoSeeder, PlatformDemoSeeder>();

        services.AddAuthentication(HavenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HavenAuthenticationHandler>(HavenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationCore();
        services.Configure<AuthorizationOptions>(HavenPolicies.Register);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, HavenRoleHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, RestrictedSessionHandler>());
        return services;
    }

    public static IEndpointRouteBuilder MapHavenIdentity(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/auth").WithTags("Auth");
        AuthEndpoints.Map(auth);
        AccountEndpoints.Map(auth);
        MfaEndpoints.Map(auth);
        AdminUserEndpoints.Map(endpoints);
        return endpoints;
    }
}
