using AkashML.Web.Hosting;

return await HostEntry.RunAsync(args);
