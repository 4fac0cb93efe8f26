using AkashML.Web.Shell;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace AkashML.Web.Components.Layout;

public sealed partial class MainLayout
{
    private bool isDark;
    private bool drawerOpen = true;
    private bool circuitReady;
    private PageErrorBoundary? errorBoundary;

    [CascadingParameter]
    public ThemeChoice? InitialTheme { get; set; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    protected override void OnInitialized() => isDark = InitialTheme?.IsDark ?? false;

    // A failed page stays failed only until the user goes elsewhere.
    protected override void OnParametersSet() => errorBoundary?.Recover();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            // The second render happens after every component's first after-render work has started.
            circuitReady = true;
            StateHasChanged();
        }
    }

    private void ToggleDrawer() => drawerOpen = !drawerOpen;

    private async Task SetThemeAsync(bool dark)
    {
        isDark = dark;
        // The cookie lets the next full page load (and the static account pages) render the same theme first time.
        await JS.InvokeVoidAsync("akashml.setTheme", dark ? ThemePreference.Dark : ThemePreference.Light);
    }
}
