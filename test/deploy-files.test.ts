/** The deployment examples in deploy/ are valid: every YAML document parses, and the systemd unit has its sections. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ROOT } from "./helpers.js";

const DEPLOY = join(ROOT, "deploy");

describe("deploy/", () => {
  const yamlFiles = readdirSync(DEPLOY).filter((f) => /\.ya?ml$/.test(f));

  it("has YAML files", () => {
    expect(yamlFiles.length).toBeGreaterThan(0);
  });

  for (const file of yamlFiles) {
    it(`${file}: every document parses, with a kind and a name`, () => {
      const docs = parseAllDocuments(readFileSync(join(DEPLOY, file), "utf8"));
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(doc.errors.map((e) => e.message)).toEqual([]);
        const value = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
        expect(value.apiVersion).toBeTruthy();
        expect(value.kind).toBeTruthy();
        expect(value.metadata?.name).toBeTruthy();
      }
    });
  }

  it("kubernetes.yaml: a Secret, a Deployment with readiness on /readyz, a Service selecting its pods", () => {
    const docs = parseAllDocuments(readFileSync(join(DEPLOY, "kubernetes.yaml"), "utf8")).map((d) => d.toJS());
    const kinds = docs.map((d) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(["Secret", "Deployment", "Service"]));
    const deployment = docs.find((d) => d.kind === "Deployment");
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
    expect(env.NANO_DATABASE_URL.valueFrom.secretKeyRef.name).toBe("nano");
    expect(env.NANO_SECRET_KEY.valueFrom.secretKeyRef.name).toBe("nano");
    const labels = deployment.spec.template.metadata.labels;
    for (const service of docs.filter((d) => d.kind === "Service")) expect(labels).toMatchObject(service.spec.selector);
  });

  it("nano.service: a systemd unit that runs nano start and restarts it", () => {
    const unit = readFileSync(join(DEPLOY, "nano.service"), "utf8");
    for (const section of ["[Unit]", "[Service]", "[Install]"]) expect(unit).toContain(section);
    expect(unit).toMatch(/^ExecStart=\S+ start /m);
    expect(unit).toMatch(/^Restart=always$/m);
  });
});
