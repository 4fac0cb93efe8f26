using AkashML.Data.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AkashML.Data.Billing;

internal sealed class CreditReservationConfiguration : IEntityTypeConfiguration<CreditReservation>
{
    public void Configure(EntityTypeBuilder<CreditReservation> builder)
    {
        builder.ToTable("CreditReservations");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.InferenceId).HasMaxLength(64);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Holder).HasMaxLength(200);
        builder.HasIndex(r => new { r.Status, r.CreatedAt });
        builder.HasIndex(r => r.UserId);
        builder.HasOne<ApplicationUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
