using System.ComponentModel.DataAnnotations;
using Haven.Platform.Audit;
using Haven.Platform.Crypto;
using Haven.Platform.Data;
using Haven.Platform.Files;
using Haven.Platform.Hosting;
using Haven.Platform.Identity;
using Haven.Platform.Notifications;
using Haven.Platform.Web;
using Haven.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Kernel.Tests.Support;

/// <summary>
/// TEST-ONLY: a stand-in module ("test") that uses the kernel services exactly as Kintaraa, PSS, NDAS and LERS will:
/// an EF context with encrypted columns (schema <c>kernel_test</c>, created by the test), audited changes and reads,
/// file uploads and authorized downloads. No real module carries fake tables for this.
/// </summary>
public static class KernelTestModule
{
    public const string Images = "test.images";
    public const string Media = "test.media";
    public const string Small = "test.small";
    public const string Documents = "test.documents";
    public const string Updates = "test.updates";

    public const string SchemaSql = """
        CREATE SCHEMA IF NOT EXISTS kernel_test;
        CREATE TABLE IF NOT EXISTS kernel_test.patients (
            id                    uuid    NOT NULL,
            name                  text    NOT NULL,
            status                text    NOT NULL,
            notes                 text    NULL,
            diagnosis             bytea   NULL,
            id_number             bytea   NULL,
            id_number_blind_index bytea   NULL,
            CONSTRAINT pk_patients PRIMARY KEY (id)
        );
        CREATE INDEX IF NOT EXISTS ix_patients_id_number_blind_index ON kernel_test.patients (id_number_blind_index);
        """;

    public static void AddServices(IServiceCollection services)
    {
        services.AddHavenDbContext<KernelTestDbContext>();
        services.AddHavenFileUse(new FileUse(Images, FileTypes.Images));
        services.AddHavenFileUse(new FileUse(Media, FileTypes.All, 200L * 1024 * 1024));
        services.AddHavenFileUse(new FileUse(Small, FileTypes.All, 1024 * 1024));
        services.AddHavenFileUse(new FileUse(Documents, FileTypes.Documents));
        services.AddNotificationCategory(new NotificationCategory(Updates, "Test updates"));
    }

    public static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        var patients = endpoints.MapGroup("/test/patients").RequireAuthorization(HavenPolicies.SignedIn);
        patients.MapPost("", CreatePatientAsync);
        patients.MapPut("/{id:guid}", UpdatePatientAsync);
        patients.MapGet("/{id:guid}", ViewPatientAsync);
        patients.MapGet("", FindPatientsAsync);

        // Records an action of any module as the caller: shows how the trail fills in who and which tenant for a module.
        endpoints.MapPost("/test/actions/{action}", async (string action, IAuditTrail audit, CancellationToken cancellationToken) =>
        {
            await audit.AppendAsync(new AuditEvent(action, "thing", "t-1"), cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(HavenPolicies.SignedIn);

        var files = endpoints.MapGroup("/test/files").RequireAuthorization(HavenPolicies.SignedIn);
        files.MapPost("/{use}", UploadAsync);
        files.MapGet("/{id:guid}", (Guid id, bool? inline) =>
            FileResults.Download(id, new AuditEvent("test.file.downloaded", "file", id), new FileDownloadOptions { Inline = inline ?? false }));
    }

    public sealed record CreatePatient([Required] string Name, [Required] string Status, string? Diagnosis, string? IdNumber, string? Notes);

    public sealed record UpdatePatient(string? Status, string? Diagnosis, string? Notes);

    public sealed record PatientView(Guid Id, string Name, string Status, string? Diagnosis, string? IdNumber, string? Notes);

    private static async Task<IResult> CreatePatientAsync(CreatePatient request, KernelTestDbContext db, IAuditTrail audit, CancellationToken cancellationToken)
    {
        var patient = new Patient
        {
            Id = Guid.NewGuid(), Name = request.Name, Status = request.Status, Diagnosis = request.Diagnosis, IdNumber = request.IdNumber, Notes = request.Notes,
        };
        db.Patients.Add(patient);
        await audit.SaveChangesAsync(db, new AuditEvent("test.patient.created", "patient", patient.Id) { Changes = AuditChanges.Of(db.Entry(patient)) }, cancellationToken);
        return TypedResults.Created($"/test/patients/{patient.Id}", new { id = patient.Id });
    }

    /// <summary>Changes inside an explicit transaction; <c>?fail=true</c> gives up after auditing, before the commit.</summary>
    private static async Task<IResult> UpdatePatientAsync(
        Guid id, UpdatePatient request, bool? fail, KernelTestDbContext db, IAuditTrail audit, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var patient = await db.Patients.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (patient is null)
        {
            return Errors.NotFound("Patient").ToProblem();
        }

        patient.Status = request.Status ?? patient.Status;
        patient.Diagnosis = request.Diagnosis ?? patient.Diagnosis;
        patient.Notes = request.Notes ?? patient.Notes;
        var changes = AuditChanges.Of(db.Entry(patient));
        await db.SaveChangesAsync(cancellationToken);
        await audit.AppendAsync(db, new AuditEvent("test.patient.updated", "patient", id) { Changes = changes, Note = "corrected at the patient's request" }, cancellationToken);
        if (fail == true)
        {
            return Errors.Conflict("simulated_failure", "Gave up before committing.").ToProblem();
        }

        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ViewPatientAsync(Guid id, KernelTestDbContext db, IAuditTrail audit, CancellationToken cancellationToken)
    {
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (patient is null)
        {
            return Errors.NotFound("Patient").ToProblem();
        }

        await audit.AppendAsync(new AuditEvent("test.patient.viewed", "patient", id), cancellationToken);
        return TypedResults.Ok(new PatientView(patient.Id, patient.Name, patient.Status, patient.Diagnosis, patient.IdNumber, patient.Notes));
    }

    private static async Task<IResult> FindPatientsAsync(string id_number, KernelTestDbContext db, CancellationToken cancellationToken)
    {
        var found = await db.Patients.AsNoTracking().WhereBlindIndexEquals(p => p.IdNumber, id_number).ToListAsync(cancellationToken);
        return TypedResults.Ok(found.Select(p => new PatientView(p.Id, p.Name, p.Status, p.Diagnosis, p.IdNumber, p.Notes)).ToList());
    }

    private static async Task<IResult> UploadAsync(string use, HttpRequest request, IFileStore files, ICurrentUser user, CancellationToken cancellationToken)
    {
        var result = await files.SaveFromRequestAsync(request, new FileSaveRequest(use, null) { TenantId = user.TenantFor("test") }, cancellationToken);
        return result.Succeeded
            ? TypedResults.Created($"/test/files/{result.File.Id}", StoredFileResponse.From(result.File))
            : result.Error.ToProblem();
    }
}

public sealed class Patient
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string Status { get; set; } = "";

    public string? Notes { get; set; }

    public string? Diagnosis { get; set; }

    public string? IdNumber { get; set; }
}

public sealed class KernelTestDbContext(DbContextOptions<KernelTestDbContext> options) : HavenDbContext(options, "kernel_test")
{
    public DbSet<Patient> Patients => Set<Patient>();
}

internal sealed class PatientConfiguration : IEntityTypeConfiguration<Patient>
{
    public void Configure(EntityTypeBuilder<Patient> builder)
    {
        builder.ToTable("patients");
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Diagnosis).IsEncrypted();
        builder.Property(p => p.IdNumber).IsEncrypted().HasBlindIndex(BlindIndexNormalization.AlphanumericIgnoreCase);
        builder.Property(p => p.Notes).IsAuditSensitive();
    }
}
