using MudBlazor;

namespace AkashML.Web.Components.Layout;

/// <summary>The product's light and dark MudBlazor themes: near-black ink with the AkashML red as the accent.</summary>
public static class AkashTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#16181d",
            PrimaryContrastText = "#ffffff",
            Secondary = "#e5383b",
            SecondaryContrastText = "#ffffff",
            Tertiary = "#2a3a86",
            Info = "#2a3a86",
            Success = "#127a4a",
            Warning = "#b26a00",
            Error = "#c0262d",
            AppbarBackground = "#ffffff",
            AppbarText = "#161a22",
            Background = "#f5f6f8",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#161a22",
            DrawerIcon = "#5f6776",
            TextPrimary = "#161a22",
            TextSecondary = "#5f6776",
            LinesDefault = "#e3e6eb",
            TableLines = "#e3e6eb",
            Divider = "#e3e6eb",
            ActionDefault = "#5f6776",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#f2f3f5",
            PrimaryContrastText = "#0d0f14",
            Secondary = "#ff5a5d",
            SecondaryContrastText = "#0d0f14",
            Tertiary = "#9fb0ff",
            Info = "#9fb0ff",
            Success = "#4cc38a",
            Warning = "#f0b429",
            Error = "#ff6b6b",
            AppbarBackground = "#14161b",
            AppbarText = "#e8eaee",
            Background = "#0d0f14",
            Surface = "#14161b",
            DrawerBackground = "#14161b",
            DrawerText = "#e8eaee",
            DrawerIcon = "#a3aab6",
            TextPrimary = "#e8eaee",
            TextSecondary = "#a3aab6",
            LinesDefault = "#2a2e37",
            TableLines = "#2a2e37",
            Divider = "#2a2e37",
            ActionDefault = "#a3aab6",
        },
        LayoutProperties = new LayoutProperties
        {
            DefaultBorderRadius = "8px",
            DrawerWidthLeft = "248px",
            AppbarHeight = "60px",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["Inter", "-apple-system", "BlinkMacSystemFont", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
        },
    };
}
