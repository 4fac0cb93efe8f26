using AkashML.Web;

return await HostEntry.RunAsync(args);
