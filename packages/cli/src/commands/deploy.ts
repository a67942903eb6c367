/** `nano deploy [dir]`: bundles the folder here and uploads it; the server checks, stores, activates. */

import { bundleApp } from "@nano/control-plane";
import { Command } from "commander";
import { AdminClient } from "../client.js";
import type { RemoteOptions } from "../options.js";
import { progress } from "../output.js";
import { type AssetUpload, uploadAssets } from "./deploy-assets.js";

interface DeployReply {
  app: string;
  version: number;
  hash: string;
  created: boolean;
  /** What the asset upload did (added here, not by the server). */
  assets?: { files: number; uploaded: number; uploadedBytes: number };
}

export function deployCommand(): Command {
  return new Command("deploy")
    .description("bundle an app folder and deploy it as a new version (identical content is a no-op)")
    .argument("[dir]", "app folder", ".")
    .option("--name <name>", "app name (default: nano.json's name, else the folder's)")
    .option("--server <url>", "admin API URL (NANO_URL)")
    .option("--token <token>", "admin token (NANO_TOKEN)")
    .option("--json", "print the result as JSON")
    .action(async (dir: string, opts: RemoteOptions & { name?: string }) => {
      const started = performance.now();
      const step = progress();
      step("bundling");
      const bundle = await bundleApp(dir, opts.name ? { name: opts.name } : {});
      const client = new AdminClient(opts);
      let assets: AssetUpload | null = null;
      if (bundle.manifest.assets) {
        step(`uploading the assets in ${bundle.manifest.assets.directory}`);
        assets = await uploadAssets(client, bundle.name, bundle.dir, bundle.manifest.assets.directory);
      }
      step(`uploading ${bundle.name} (${(Buffer.byteLength(bundle.code) / 1024).toFixed(1)} KiB) to ${client.server}`);
      const manifest = { ...bundle.manifest };
      delete manifest.name;
      delete manifest.main;
      const reply = await client.request<DeployReply>("POST", `/v1/apps/${encodeURIComponent(bundle.name)}/versions`, {
        bundle: bundle.code,
        manifest,
        ...(assets ? { assets: assets.list } : {}),
      });
      step(null);
      if (assets)
        reply.assets = { files: assets.files, uploaded: assets.uploaded, uploadedBytes: assets.uploadedBytes };
      if (opts.json) return console.log(JSON.stringify(reply));
      const ms = Math.round(performance.now() - started);
      console.log(
        reply.created
          ? `deployed ${reply.app} version ${reply.version} (${ms} ms)`
          : `${reply.app} version ${reply.version} already has this content; it is active (${ms} ms)`,
      );
      if (assets) {
        const kib = (assets.uploadedBytes / 1024).toFixed(1);
        console.log(
          `assets: ${assets.files} files, ${assets.uploaded} uploaded (${kib} KiB), the rest already on the server`,
        );
      }
    });
}
