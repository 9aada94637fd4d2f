using Haven.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Haven.Pss.Data;

public sealed class PssDbContext(DbContextOptions<PssDbContext> options) : HavenDbContext(options, PssModule.ModuleName)
{
}
