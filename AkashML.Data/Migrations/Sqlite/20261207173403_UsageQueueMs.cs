using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AkashML.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageQueueMs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "QueueMs",
                table: "UsageRecords",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "QueueMs",
                table: "UsageRecords");
        }
    }
}
