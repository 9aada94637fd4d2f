using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Haven.Platform.Data;

/// <summary>
/// Maps CLR names to PostgreSQL's snake_case (tables, columns, keys, indexes, foreign keys) unless a name was set
/// explicitly, so hand-written SQL migrations read like ordinary PostgreSQL. (EFCore.NamingConventions is not
/// available from this machine's package feed; this is the small part of it Haven needs.)
/// </summary>
public sealed class SnakeCaseNamingConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entity in modelBuilder.Metadata.GetEntityTypes())
        {
            if (entity.IsMappedToJson())
            {
                continue;
            }

            if (entity.BaseType is null && !entity.IsOwned() && entity.GetTableName() is { } table
                && entity.GetTableNameConfigurationSource() != ConfigurationSource.Explicit)
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            foreach (var property in entity.GetDeclaredProperties())
            {
                if (property.GetColumnNameConfigurationSource() != ConfigurationSource.Explicit)
                {
                    property.SetColumnName(ToSnakeCase(property.GetColumnName()));
                }
            }
        }

        // Constraint and index defaults derive from the (now snake_case) table and column names; lower-case them too.
        foreach (var entity in modelBuilder.Metadata.GetEntityTypes().Where(e => !e.IsMappedToJson()))
        {
            foreach (var key in entity.GetDeclaredKeys())
            {
                if (key.GetNameConfigurationSource() != ConfigurationSource.Explicit && key.GetName() is { } name)
                {
                    key.SetName(name.ToLowerInvariant());
                }
            }

            foreach (var foreignKey in entity.GetDeclaredForeignKeys())
            {
                if (foreignKey.GetConstraintNameConfigurationSource() != ConfigurationSource.Explicit && foreignKey.GetConstraintName() is { } name)
                {
                    foreignKey.SetConstraintName(name.ToLowerInvariant());
                }
            }

            foreach (var index in entity.GetDeclaredIndexes())
            {
                if (index.GetDatabaseNameConfigurationSource() != ConfigurationSource.Explicit && index.GetDatabaseName() is { } name)
                {
                    index.SetDatabaseName(name.ToLowerInvariant());
                }
            }
        }
    }

    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                var previousIsUpper = i > 0 && char.IsUpper(name[i - 1]);
                if (i > 0 && name[i - 1] != '_' && (previousIsLowerOrDigit || (previousIsUpper && nextIsLower)))
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}

public static class NamingConventionExtensions
{
    /// <summary>Adds <see cref="SnakeCaseNamingConvention"/>; call from every Haven DbContext's ConfigureConventions.</summary>
    public static ModelConfigurationBuilder UseHavenNaming(this ModelConfigurationBuilder builder)
    {
        builder.Conventions.Add(_ => new SnakeCaseNamingConvention());
        return builder;
    }
}
