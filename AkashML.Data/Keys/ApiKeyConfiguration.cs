using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Keys;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.SecretHash).HasMaxLength(64);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.LastFour).HasMaxLength(4);
        builder.Property(k => k.PreviousSecretHash).HasMaxLength(64);
        builder.Property(k => k.PreviousLastFour).HasMaxLength(4);
        builder.Property(k => k.BudgetPeriod).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(k => k.SecretHash).IsUnique();
        builder.HasIndex(k => k.PreviousSecretHash).IsUnique();
        builder.HasIndex(k => k.UserId);
        builder.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
