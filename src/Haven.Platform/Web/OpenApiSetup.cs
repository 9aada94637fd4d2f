using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Haven.Platform.Web;

/// <summary>
/// OpenAPI document at <c>/openapi/v1.json</c> and interactive docs at <c>/docs</c>. Every operation states its
/// auth requirement (bearer token and the named policy, or anonymous) and the problem responses it can give.
/// </summary>
public static class OpenApiSetup
{
    public const string BearerScheme = "bearer";

    public static IServiceCollection AddHavenOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Haven API",
                    Version = "v1",
                    Description = "Kintaraa, LERS, PSS and NDAS on one platform. Errors are RFC 9457 problem details with a stable `code`. " +
                                  "Authenticate with `POST /api/auth/login/` and send `Authorization: Bearer <access_token>`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "Access token from /api/auth/login/ (15 minutes); renew with /api/auth/refresh/.",
                };
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                document.Components.Schemas["Problem"] = ProblemSchema();
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var anonymous = metadata.OfType<IAllowAnonymous>().Any();
                operation.Responses ??= new OpenApiResponses();
                if (anonymous)
                {
                    var reason = metadata.OfType<AnonymousReason>().FirstOrDefault()?.Reason;
                    operation.Description = Append(operation.Description, "Auth: none" + (reason is null ? "." : $" ({reason})."));
                }
                else
                {
                    var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy ?? a.Roles).Where(p => !string.IsNullOrEmpty(p)).Distinct().ToList();
                    operation.Description = Append(operation.Description,
                        "Auth: bearer token" + (policies.Count > 0 ? $", policy {string.Join(" + ", policies)}." : ", any signed-in user."));
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                    AddProblem(operation, context, "401", "Missing, expired or revoked access token.");
                    AddProblem(operation, context, "403", "The caller's role may not use this operation.");
                }

                if (context.Description.ParameterDescriptions.Count > 0 || context.Description.SupportedRequestFormats.Count > 0)
                {
                    AddProblem(operation, context, "400", "Invalid input; `errors` lists each field.");
                }

                if (context.Description.RelativePath?.Contains('{') == true)
                {
                    AddProblem(operation, context, "404", "Not found, or not visible to the caller.");
                }

                AddProblem(operation, context, "429", "Rate limit exceeded; see Retry-After.");
                AddProblem(operation, context, "500", "Unexpected server error (no internals disclosed).");
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static IEndpointRouteBuilder MapHavenOpenApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().WithMetadata(new AnonymousReason("public API description"));
        return endpoints;
    }

    public static IApplicationBuilder UseHavenApiDocs(this IApplicationBuilder app) =>
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "docs";
            options.DocumentTitle = "Haven API";
            options.SwaggerEndpoint("/openapi/v1.json", "Haven API v1");
        });

    private static void AddProblem(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("Problem", context.Document) },
            },
        };
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details.",
        Required = new HashSet<string> { "status", "title", "code", "traceId" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable machine-readable error code." },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Field name to messages, for validation errors.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    private static string Append(string? existing, string line) => string.IsNullOrEmpty(existing) ? line : existing + "\n\n" + line;
}

/// <summary>Why an endpoint is open to anonymous callers; required beside AllowAnonymous so that no endpoint is open by accident.</summary>
public sealed record AnonymousReason(string Reason);

public static class AnonymousEndpointExtensions
{
    /// <summary>AllowAnonymous with the reason recorded (shown in the API docs and checked by the endpoint policy test).</summary>
    public static TBuilder AllowAnonymous<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().WithMetadata(new AnonymousReason(reason));
}

/// <summary>
/// <c>[AllowAnonymous]</c> with its reason, for places that take attributes rather than endpoint conventions (Razor pages:
/// <c>@attribute [AnonymousBecause("public landing page")]</c>). The endpoint policy test accepts it like <see cref="AnonymousReason"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class AnonymousBecauseAttribute(string reason) : AllowAnonymousAttribute
{
    public string Reason { get; } = reason;
}
