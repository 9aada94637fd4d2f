using System.Linq.Expressions;
using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;

namespace Haven.Platform.Crypto;

/// <summary>What <c>IsEncrypted()</c> records on a property; read when the model is built and by the rotate command.</summary>
public sealed class EncryptedPropertyOptions
{
    /// <summary>Bound into every value's associated data; defaults to <c>schema.table.column</c>. Keep it when renaming a column.</summary>
    public string? Purpose { get; set; }
}

/// <summary>What <c>HasBlindIndex()</c> records on the shadow property that holds the index.</summary>
public sealed record BlindIndexOptions(string SourceProperty, BlindIndexNormalization Normalization)
{
    /// <summary>Resolved when the model is built: the encrypted column's purpose, so both use the same binding.</summary>
    public string? Purpose { get; set; }
}

/// <summary>
/// Field encryption through the EF model, transparent to module code:
/// <code>
/// builder.Property(p => p.Diagnosis).IsEncrypted();
/// builder.Property(p => p.IdNumber).IsEncrypted().HasBlindIndex(BlindIndexNormalization.AlphanumericIgnoreCase);
/// ...
/// var match = await db.Profiles.WhereBlindIndexEquals(p => p.IdNumber, "A 123-456").SingleOrDefaultAsync();
/// </code>
/// The column is <c>bytea</c>; the blind index is a shadow property <c>{Property}BlindIndex</c> (column
/// <c>{column}_blind_index</c>, bytea, indexed) kept in step on every save. Equality on the encrypted property itself
/// never matches (every encryption is randomized): search through the blind index.
/// </summary>
public static class EncryptedPropertyExtensions
{
    public const string BlindIndexSuffix = "BlindIndex";

    public static PropertyBuilder<T> IsEncrypted<T>(this PropertyBuilder<T> builder, string? purpose = null)
    {
        if (typeof(T) != typeof(string))
        {
            throw new InvalidOperationException($"IsEncrypted() supports string properties; '{builder.Metadata.Name}' is {typeof(T).Name}. Store it as text.");
        }

        builder.HasAnnotation(FieldEncryption.EncryptedAnnotation, new EncryptedPropertyOptions { Purpose = purpose });
        return builder;
    }

    /// <summary>Adds a keyed blind index of this encrypted property, for exact-match search without decrypting.</summary>
    public static PropertyBuilder<T> HasBlindIndex<T>(this PropertyBuilder<T> builder, BlindIndexNormalization normalization = BlindIndexNormalization.Exact)
    {
        if (builder.Metadata.FindAnnotation(FieldEncryption.EncryptedAnnotation) is null)
        {
            throw new InvalidOperationException($"Call IsEncrypted() before HasBlindIndex() on '{builder.Metadata.Name}'.");
        }

        var entity = (IMutableEntityType)builder.Metadata.DeclaringType;
        var shadow = entity.AddProperty(builder.Metadata.Name + BlindIndexSuffix, typeof(string));
        shadow.IsNullable = true;
        shadow.SetAnnotation(FieldEncryption.BlindIndexOfAnnotation, new BlindIndexOptions(builder.Metadata.Name, normalization));
        entity.AddIndex(shadow);
        return builder;
    }

    /// <summary><c>WHERE {column}_blind_index = HMAC(normalized value)</c>: finds rows whose encrypted property equals <paramref name="value"/>.</summary>
    public static IQueryable<TEntity> WhereBlindIndexEquals<TEntity>(this IQueryable<TEntity> query, Expression<Func<TEntity, string?>> property, string value)
    {
        if (property.Body is not MemberExpression member)
        {
            throw new ArgumentException("Name the encrypted property directly, e.g. p => p.IdNumber.", nameof(property));
        }

        var parameter = property.Parameters[0];
        var shadow = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(string)], parameter, Expression.Constant(member.Member.Name + BlindIndexSuffix));
        // A closure, not a constant, so EF sends the value as a parameter (converted to its HMAC by the shadow's converter).
        Expression<Func<string>> captured = () => value;
        var body = Expression.Equal(shadow, captured.Body);
        return query.Where(Expression.Lambda<Func<TEntity, bool>>(body, parameter));
    }
}

/// <summary>
/// What makes <c>IsEncrypted()</c> work in a DbContext: every context registered with <c>AddHavenDbContext</c> gets the
/// model cache key and the blind-index interceptor; its <c>OnModelCreating</c> ends with <see cref="Apply"/>
/// (<see cref="Data.HavenDbContext"/> does this for modules, <see cref="Data.PlatformDbContext"/> for the kernel).
/// </summary>
public static class FieldEncryptionModel
{
    /// <summary>Attaches the converters; call at the end of OnModelCreating.</summary>
    public static void Apply(ModelBuilder modelBuilder, DbContext context)
    {
        var encrypted = modelBuilder.Model.GetEntityTypes()
            .SelectMany(e => e.GetDeclaredProperties().Select(p => (Entity: e, Property: p)))
            .Where(x => x.Property.FindAnnotation(FieldEncryption.EncryptedAnnotation) is not null || x.Property.FindAnnotation(FieldEncryption.BlindIndexOfAnnotation) is not null)
            .ToList();
        if (encrypted.Count == 0)
        {
            return;
        }

        var encryption = Resolve(context) ?? throw new InvalidOperationException(
            $"{context.GetType().Name} has encrypted properties but no FieldEncryption service; register the context with AddHavenDbContext.");
        var schema = modelBuilder.Model.GetDefaultSchema();
        foreach (var (entity, property) in encrypted.Where(x => x.Property.FindAnnotation(FieldEncryption.EncryptedAnnotation) is not null))
        {
            var options = (EncryptedPropertyOptions)property[FieldEncryption.EncryptedAnnotation]!;
            options.Purpose ??= $"{entity.GetSchema() ?? schema}.{FinalTableName(entity)}.{FinalColumnName(property)}";
            var purpose = options.Purpose;
            property.SetValueConverter(new ValueConverter<string, byte[]>(v => encryption.Encrypt(v, purpose), v => encryption.Decrypt(v, purpose)));
        }

        foreach (var (entity, shadow) in encrypted.Where(x => x.Property.FindAnnotation(FieldEncryption.BlindIndexOfAnnotation) is not null))
        {
            var options = (BlindIndexOptions)shadow[FieldEncryption.BlindIndexOfAnnotation]!;
            var source = entity.FindProperty(options.SourceProperty)!;
            options.Purpose = ((EncryptedPropertyOptions)source[FieldEncryption.EncryptedAnnotation]!).Purpose + "#blind-index";
            var purpose = options.Purpose;
            var normalization = options.Normalization;
            // One-way: the index is written and compared, never read back into the entity.
            shadow.SetValueConverter(new ValueConverter<string?, byte[]?>(
                v => v == null ? null : encryption.BlindIndex(v, purpose, normalization), _ => null));
        }
    }

    /// <summary>Copies each blind-indexed property's new value into its index before a save (<see cref="BlindIndexInterceptor"/>).</summary>
    internal static void SyncBlindIndexes(DbContext context)
    {
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            foreach (var shadow in entry.Metadata.GetProperties())
            {
                if (shadow.FindAnnotation(FieldEncryption.BlindIndexOfAnnotation)?.Value is not BlindIndexOptions options)
                {
                    continue;
                }

                var source = entry.Property(options.SourceProperty);
                if (entry.State == EntityState.Added || source.IsModified)
                {
                    entry.Property(shadow.Name).CurrentValue = source.CurrentValue;
                }
            }
        }
    }

    /// <summary>Keeps every blind index in step with its encrypted property on each save of a Haven context.</summary>
    internal sealed class BlindIndexInterceptor : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            if (eventData.Context is { } context)
            {
                SyncBlindIndexes(context);
            }

            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
            DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context)
            {
                SyncBlindIndexes(context);
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <summary>Models differ per FieldEncryption instance (each app has its own keys), so the cache key includes it.</summary>
    internal sealed class CacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), designTime, Resolve(context));
    }

    private static FieldEncryption? Resolve(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<FieldEncryption>();

    private static string FinalTableName(IMutableEntityType entity)
    {
        var name = entity.GetTableName()!;
        return ((IConventionEntityType)entity).GetTableNameConfigurationSource() == ConfigurationSource.Explicit ? name : SnakeCaseNamingConvention.ToSnakeCase(name);
    }

    private static string FinalColumnName(IMutableProperty property)
    {
        var name = property.GetColumnName();
        return ((IConventionProperty)property).GetColumnNameConfigurationSource() == ConfigurationSource.Explicit ? name : SnakeCaseNamingConvention.ToSnakeCase(name);
    }
}
