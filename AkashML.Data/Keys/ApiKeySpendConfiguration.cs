using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Keys;

internal sealed class ApiKeySpendConfiguration : IEntityTypeConfiguration<ApiKeySpend>
{
    public void Configure(EntityTypeBuilder<ApiKeySpend> builder)
    {
        builder.ToTable("ApiKeySpend");

        // The key first: a period's spend is one range scan of this key's days.
        builder.HasKey(s => new { s.KeyId, s.Day });
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(s => s.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
