import { expect } from "chai";
import { network } from "hardhat";

import {
  DEFAULT_ADMIN_DELAY,
  InvestorRegistryModule,
  buildSecurityTokenModule,
  currencyCode,
} from "../../deploy/modules/SecurityToken.ts";
import SecurityTokenModule from "../../deploy/modules/SecurityToken.ts";
import { contractAt } from "../support/security-token.ts";

const { ethers, ignition } = await network.create();

describe("SecurityToken Ignition modules", function () {
  it("deploy a registry and two tokens reading it, with the given parameters", async function () {
    const [deployer, admin] = await ethers.getSigners();
    const { registry } = await ignition.deploy(InvestorRegistryModule, {
      parameters: { InvestorRegistry: { admin: admin!.address, adminDelay: 0 } },
    });
    const registryAddress = await registry.getAddress();
    const reader = await contractAt(ethers, "InvestorRegistry", registryAddress);
    expect(await reader.defaultAdmin()).to.equal(admin!.address);
    expect(await reader.defaultAdminDelay()).to.equal(0n);

    const { token } = await ignition.deploy(buildSecurityTokenModule("JGB372"), {
      parameters: {
        JGB372: {
          name: "JGB 10Y #372",
          symbol: "JGB372",
          isin: "JP1103721P49",
          currency: currencyCode("JPY"),
          faceValue: 1_000_000n,
          registry: registryAddress,
          admin: admin!.address,
        },
      },
    });
    const jgb = await contractAt(ethers, "SecurityToken", await token.getAddress());
    expect(await jgb.name()).to.equal("JGB 10Y #372");
    expect(await jgb.symbol()).to.equal("JGB372");
    expect(await jgb.decimals()).to.equal(0n);
    expect(await jgb.isin()).to.equal("JP1103721P49");
    expect(ethers.toUtf8String(await jgb.currency())).to.equal("JPY");
    expect(await jgb.faceValue()).to.equal(1_000_000n);
    expect(await jgb.registry()).to.equal(registryAddress);
    expect(await jgb.defaultAdmin()).to.equal(admin!.address);
    expect(await jgb.defaultAdminDelay()).to.equal(BigInt(DEFAULT_ADMIN_DELAY));

    // The default export, with defaults for decimals and admin.
    const { token: second } = await ignition.deploy(SecurityTokenModule, {
      parameters: {
        SecurityToken: {
          name: "UST 4.25% 2034",
          symbol: "UST34",
          decimals: 6,
          isin: "US91282CKQ32",
          currency: currencyCode("USD"),
          faceValue: 100_000n,
          registry: registryAddress,
        },
      },
    });
    const ust = await contractAt(ethers, "SecurityToken", await second.getAddress());
    expect(await ust.decimals()).to.equal(6n);
    expect(await ust.defaultAdmin()).to.equal(deployer!.address);
    expect(await ust.registry()).to.equal(registryAddress);
  });

  it("fails the deployment on an invalid ISIN", async function () {
    const { registry } = await ignition.deploy(InvestorRegistryModule);
    const deployment = ignition.deploy(buildSecurityTokenModule("BadIsin"), {
      parameters: {
        BadIsin: {
          name: "Bad",
          symbol: "BAD",
          isin: "JP1103721P48",
          currency: currencyCode("JPY"),
          faceValue: 1n,
          registry: await registry.getAddress(),
        },
      },
    });
    const failure = await deployment.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).to.be.instanceOf(Error);
    expect(String(failure)).to.match(/IsinInvalidCheckDigit/);
  });

  it("currencyCode encodes an ISO 4217 code and refuses anything else", function () {
    expect(currencyCode("JPY")).to.equal("0x4a5059");
    expect(currencyCode("USD")).to.equal("0x555344");
    expect(() => currencyCode("jpy")).to.throw(RangeError);
    expect(() => currencyCode("YEN!")).to.throw(RangeError);
  });
});
