using Haven.Platform.Crypto;
using Microsoft.EntityFrameworkCore;

namespace Haven.Platform.Data;

/// <summary>
/// Base of every module's DbContext: one PostgreSQL schema per module, snake_case names, and the schema
/// itself comes from the module's SQL migrations (never from EF's EnsureCreated or EF migrations).
/// Properties configured with <c>IsEncrypted()</c> are encrypted transparently (see <see cref="EncryptedPropertyExtensions"/>).
/// </summary>
public abstract class HavenDbContext(DbContextOptions options, string schema) : DbContext(options)
{
    public string Schema { get; } = schema;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(GetType().Assembly);
        FieldEncryptionModel.Apply(modelBuilder, this);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.UseHavenNaming();
}
