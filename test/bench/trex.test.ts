import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { type Contract, Interface, getAddress } from "ethers";
import { network } from "hardhat";

import { TREX_METRICS, TREX_TRANSFER_AMOUNT, trexGas } from "../../bench/trex.ts";
import {
  ONCHAINID_PACKAGE,
  TREX_PACKAGE,
  type TrexContractName,
  installedVersion,
  onchainIdArtifact,
  trexArtifact,
} from "../../bench/trex/artifacts.ts";
import { at, call, callAddress, callBigInt, callBool, callList, send } from "../../bench/trex/chain.ts";
import { TrexBenchError, TrexBenchErrorCode } from "../../bench/trex/errors.ts";
import { TREX_BENCH, keyHash, signClaim, trexAccounts } from "../../bench/trex/suite.ts";

const connection = await network.create({ chainType: "l1" });
const { ethers, networkHelpers } = connection;

/** The suite's contracts as the chain shows them after a `trexGas` run: nothing is taken from the benchmark's memory. */
interface Observed {
  readonly metrics: Record<string, number>;
  readonly accounts: Awaited<ReturnType<typeof trexAccounts>>;
  readonly factory: Contract;
  readonly token: Contract;
  readonly identityRegistry: Contract;
  readonly proxies: Readonly<Record<TrexProxyName, string>>;
}

type TrexProxyName =
  | "TokenProxy"
  | "IdentityRegistryProxy"
  | "IdentityRegistryStorageProxy"
  | "TrustedIssuersRegistryProxy"
  | "ClaimTopicsRegistryProxy"
  | "ModularComplianceProxy";

/** Runs the benchmark on the fresh connection, then finds the suite through the factory's TREXSuiteDeployed event. */
async function benchmarkedChain(): Promise<Observed> {
  const metrics = await trexGas(connection);
  const accounts = await trexAccounts(connection);

  const factoryAbi = new Interface(trexArtifact("TREXFactory").abi);
  const suiteDeployed = factoryAbi.getEvent("TREXSuiteDeployed");
  if (suiteDeployed === null) throw new Error("TREXFactory ABI has no TREXSuiteDeployed event");
  const logs = await ethers.provider.getLogs({
    fromBlock: 0,
    toBlock: "latest",
    topics: [suiteDeployed.topicHash],
  });
  expect(logs, "TREXSuiteDeployed events on the chain").to.have.lengthOf(1);
  const parsed = factoryAbi.parseLog(logs[0]!);
  if (parsed === null) throw new Error("cannot decode TREXSuiteDeployed");
  const [token, ir, irs, tir, ctr, mc] = parsed.args
    .toArray()
    .slice(0, 6)
    .map((value) => getAddress(String(value)));

  return {
    metrics,
    accounts,
    factory: at(trexArtifact("TREXFactory"), logs[0]!.address, accounts.deployer),
    token: at(trexArtifact("Token"), token!, accounts.agent),
    identityRegistry: at(trexArtifact("IdentityRegistry"), ir!, accounts.agent),
    proxies: {
      TokenProxy: token!,
      IdentityRegistryProxy: ir!,
      IdentityRegistryStorageProxy: irs!,
      TrustedIssuersRegistryProxy: tir!,
      ClaimTopicsRegistryProxy: ctr!,
      ModularComplianceProxy: mc!,
    },
  };
}

/** The logic contract each proxy resolves through the implementation authority. */
const IMPLEMENTATION_OF: ReadonlyArray<[TrexProxyName, TrexContractName, string]> = [
  ["TokenProxy", "Token", "getTokenImplementation"],
  ["IdentityRegistryProxy", "IdentityRegistry", "getIRImplementation"],
  ["IdentityRegistryStorageProxy", "IdentityRegistryStorage", "getIRSImplementation"],
  ["TrustedIssuersRegistryProxy", "TrustedIssuersRegistry", "getTIRImplementation"],
  ["ClaimTopicsRegistryProxy", "ClaimTopicsRegistry", "getCTRImplementation"],
  ["ModularComplianceProxy", "ModularCompliance", "getMCImplementation"],
];

function tokenAs(observed: Observed, signer: HardhatEthersSigner): Contract {
  return at(trexArtifact("Token"), observed.proxies.TokenProxy, signer);
}

async function implementationAuthority(observed: Observed): Promise<Contract> {
  const address = await callAddress(observed.factory, "getImplementationAuthority");
  return at(trexArtifact("TREXImplementationAuthority"), address, observed.accounts.deployer);
}

async function identityFactory(observed: Observed): Promise<Contract> {
  return at(
    onchainIdArtifact("IdFactory"),
    await callAddress(observed.factory, "getIdFactory"),
    observed.accounts.deployer,
  );
}

async function trustedIssuer(observed: Observed): Promise<Contract> {
  const registry = at(
    trexArtifact("TrustedIssuersRegistry"),
    observed.proxies.TrustedIssuersRegistryProxy,
    ethers.provider,
  );
  const [issuer] = await callList(registry, "getTrustedIssuers");
  return at(onchainIdArtifact("ClaimIssuer"), String(issuer), observed.accounts.claimIssuerManager);
}

describe("bench/trex: ERC-3643 (T-REX) reference gas", function () {
  describe("figures", function () {
    it("reports exactly gas.trex.transfer and gas.trex.forcedTransfer, both positive integers", async function () {
      const { metrics } = await networkHelpers.loadFixture(benchmarkedChain);

      expect(Object.keys(metrics).sort()).to.deep.equal([TREX_METRICS.forcedTransfer, TREX_METRICS.transfer]);
      for (const value of Object.values(metrics)) {
        expect(Number.isSafeInteger(value), `${value} is an integer`).to.equal(true);
        expect(value).to.be.greaterThan(21_000); // more than the intrinsic cost: the call did run
      }
    });

    it("are the receipts of one holder-to-holder transfer and one agent forcedTransfer, both holders funded after", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const { token, metrics, accounts } = observed;
      const { alice, bob, agent } = accounts;

      const measured = [
        { from: alice, to: bob, sender: alice, method: "transfer", gas: metrics[TREX_METRICS.transfer] },
        {
          from: bob,
          to: alice,
          sender: agent,
          method: "forcedTransfer",
          gas: metrics[TREX_METRICS.forcedTransfer],
        },
      ];
      for (const { from, to, sender, method, gas } of measured) {
        const moves = await token.queryFilter(token.getEvent("Transfer")(from.address, to.address), 0);
        expect(moves, `${method} Transfer events`).to.have.lengthOf(1);
        const hash = moves[0]!.transactionHash;
        const transaction = await ethers.provider.getTransaction(hash);
        const receipt = await ethers.provider.getTransactionReceipt(hash);
        expect(transaction?.from).to.equal(sender.address);
        expect(transaction?.to).to.equal(observed.proxies.TokenProxy);
        expect(token.interface.parseTransaction({ data: transaction?.data ?? "0x" })?.name).to.equal(method);
        expect(receipt?.status).to.equal(1);
        expect(receipt?.gasUsed).to.equal(BigInt(gas!));
      }
      // A round trip between two holders of TREX_BENCH.mintEach each: both are back where they started.
      expect(TREX_TRANSFER_AMOUNT).to.be.lessThan(TREX_BENCH.mintEach);
      expect(await callBigInt(token, "balanceOf", alice.address)).to.equal(TREX_BENCH.mintEach);
      expect(await callBigInt(token, "balanceOf", bob.address)).to.equal(TREX_BENCH.mintEach);
    });

    it("cost more than a plain OpenZeppelin ERC-20 transfer measured on the same network", async function () {
      const { metrics, accounts } = await networkHelpers.loadFixture(benchmarkedChain);
      const { alice, bob } = accounts;
      const baseline = await ethers.deployContract("BaselineERC20", [alice.address, 1_000n]);
      await (await baseline.connect(alice).getFunction("transfer")(bob.address, 1n)).wait();
      const receipt = await (await baseline.connect(alice).getFunction("transfer")(bob.address, 1n)).wait();

      expect(metrics[TREX_METRICS.transfer]).to.be.greaterThan(Number(receipt!.gasUsed));
    });
  });

  describe("production layout", function () {
    it("deployed the suite through TREXFactory.deployTREXSuite, every contract a T-REX proxy pointing at the authority", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const authority = await implementationAuthority(observed);

      expect(await callAddress(observed.factory, "getToken", TREX_BENCH.salt)).to.equal(
        observed.proxies.TokenProxy,
      );
      expect(await ethers.provider.getCode(observed.factory.target)).to.equal(
        trexArtifact("TREXFactory").deployedBytecode,
      );
      for (const [proxyName, address] of Object.entries(observed.proxies) as [TrexProxyName, string][]) {
        expect(await ethers.provider.getCode(address), `${proxyName} runtime code`).to.equal(
          trexArtifact(proxyName).deployedBytecode,
        );
        const proxy = at(trexArtifact(proxyName), address, ethers.provider);
        expect(await callAddress(proxy, "getImplementationAuthority"), proxyName).to.equal(authority.target);
      }
    });

    it("resolves each proxy to the T-REX implementation the reference authority holds for version 4.1.6", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const authority = await implementationAuthority(observed);

      expect(await callBool(authority, "isReferenceContract")).to.equal(true);
      expect(await callAddress(authority, "getTREXFactory")).to.equal(observed.factory.target);
      expect(await callList(authority, "getCurrentVersion")).to.deep.equal([4n, 1n, 6n]);
      for (const [proxyName, implementationName, getter] of IMPLEMENTATION_OF) {
        const implementation = await callAddress(authority, getter);
        expect(implementation).to.not.equal(observed.proxies[proxyName]);
        expect(await ethers.provider.getCode(implementation), `${implementationName} logic`).to.equal(
          trexArtifact(implementationName).deployedBytecode,
        );
      }
      // The proxy holds no token logic of its own: its answers come from the implementation's code and the proxy's storage.
      expect(await callAddress(observed.token, "identityRegistry")).to.equal(
        observed.proxies.IdentityRegistryProxy,
      );
      expect(await callAddress(observed.token, "compliance")).to.equal(
        observed.proxies.ModularComplianceProxy,
      );
      expect(await call(observed.token, "symbol")).to.equal(TREX_BENCH.tokenSymbol);
      expect(await callAddress(observed.token, "owner")).to.equal(observed.accounts.issuer.address);
      expect(await callBool(observed.token, "isAgent", observed.accounts.agent.address)).to.equal(true);
    });

    it("made the token's and the investors' identities with ONCHAINID's IdFactory, as IdentityProxy contracts", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const idFactory = await identityFactory(observed);
      const { alice, bob } = observed.accounts;

      expect(await callBool(idFactory, "isTokenFactory", observed.factory.target)).to.equal(true);
      const tokenIdentity = await callAddress(idFactory, "getIdentity", observed.proxies.TokenProxy);
      expect(await callAddress(observed.token, "onchainID")).to.equal(tokenIdentity);
      for (const investor of [alice, bob]) {
        const identity = await callAddress(idFactory, "getIdentity", investor.address);
        expect(await callAddress(observed.identityRegistry, "identity", investor.address)).to.equal(identity);
        expect(await callBigInt(observed.identityRegistry, "investorCountry", investor.address)).to.equal(
          TREX_BENCH.country,
        );
        expect(await ethers.provider.getCode(identity)).to.equal(
          onchainIdArtifact("IdentityProxy").deployedBytecode,
        );
        const asIdentity = at(onchainIdArtifact("Identity"), identity, ethers.provider);
        expect(await callBool(asIdentity, "keyHasPurpose", keyHash(investor.address), 1n)).to.equal(true);
      }
    });

    it("has one claim topic, one trusted ClaimIssuer for it, and no compliance module", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const topics = at(
        trexArtifact("ClaimTopicsRegistry"),
        observed.proxies.ClaimTopicsRegistryProxy,
        ethers.provider,
      );
      const issuers = at(
        trexArtifact("TrustedIssuersRegistry"),
        observed.proxies.TrustedIssuersRegistryProxy,
        ethers.provider,
      );
      const compliance = at(
        trexArtifact("ModularCompliance"),
        observed.proxies.ModularComplianceProxy,
        ethers.provider,
      );
      const issuer = await trustedIssuer(observed);

      expect(await callList(topics, "getClaimTopics")).to.deep.equal([TREX_BENCH.claimTopic]);
      expect(await callList(issuers, "getTrustedIssuers")).to.deep.equal([issuer.target]);
      expect(await callBool(issuers, "isTrustedIssuer", issuer.target)).to.equal(true);
      expect(await callBool(issuers, "hasClaimTopic", issuer.target, TREX_BENCH.claimTopic)).to.equal(true);
      expect(await callList(issuers, "getTrustedIssuersForClaimTopic", TREX_BENCH.claimTopic)).to.deep.equal([
        issuer.target,
      ]);
      expect(await ethers.provider.getCode(issuer.target)).to.equal(
        onchainIdArtifact("ClaimIssuer").deployedBytecode,
      );
      expect(
        await callBool(issuer, "keyHasPurpose", keyHash(observed.accounts.claimSigner.address), 3n),
        "claim signing key has purpose 3",
      ).to.equal(true);
      expect(await callList(compliance, "getModules")).to.deep.equal([]);
      expect(await callAddress(compliance, "getTokenBound")).to.equal(observed.proxies.TokenProxy);
    });

    it("verifies both investors through valid signed claims, and nobody else", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const { alice, bob, outsider } = observed.accounts;
      const issuer = await trustedIssuer(observed);
      const claimId = claimIdOf(issuer, TREX_BENCH.claimTopic);

      for (const investor of [alice, bob]) {
        expect(await callBool(observed.identityRegistry, "isVerified", investor.address)).to.equal(true);
        const identity = await callAddress(observed.identityRegistry, "identity", investor.address);
        const [topic, scheme, claimIssuer, signature, data] = await callList(
          at(onchainIdArtifact("Identity"), identity, ethers.provider),
          "getClaim",
          claimId,
        );
        expect([topic, scheme, claimIssuer, data]).to.deep.equal([
          TREX_BENCH.claimTopic,
          TREX_BENCH.claimScheme,
          issuer.target,
          TREX_BENCH.claimData,
        ]);
        expect(await callBool(issuer, "isClaimValid", identity, topic, signature, data)).to.equal(true);
      }
      expect(await callBool(observed.identityRegistry, "isVerified", outsider.address)).to.equal(false);
    });
  });

  describe("the compliance path is live", function () {
    it("refuses a transfer, a forced transfer and a mint to a wallet with no identity", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const { alice, outsider } = observed.accounts;

      await expect(tokenAs(observed, alice).getFunction("transfer")(outsider.address, 1n)).to.be.revertedWith(
        "Transfer not possible",
      );
      await expect(
        observed.token.getFunction("forcedTransfer")(alice.address, outsider.address, 1n),
      ).to.be.revertedWith("Transfer not possible");
      await expect(observed.token.getFunction("mint")(outsider.address, 1n)).to.be.revertedWith(
        "Identity is not verified.",
      );
      expect(await callBigInt(observed.token, "balanceOf", outsider.address)).to.equal(0n);
      expect(await callBigInt(observed.token, "balanceOf", alice.address)).to.equal(TREX_BENCH.mintEach);
    });

    it("refuses a registered wallet until its identity holds a claim signed by the trusted issuer's key", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const { alice, outsider } = observed.accounts;
      const idFactory = await identityFactory(observed);
      const issuer = await trustedIssuer(observed);

      await send(idFactory, "createIdentity", outsider.address, "outsider");
      const identityAddress = await callAddress(idFactory, "getIdentity", outsider.address);
      const identity = at(onchainIdArtifact("Identity"), identityAddress, outsider);
      await send(
        observed.identityRegistry,
        "registerIdentity",
        outsider.address,
        identityAddress,
        TREX_BENCH.country,
      );

      // Registered, but its identity holds no claim: not verified, so the token refuses it.
      expect(await callBool(observed.identityRegistry, "isVerified", outsider.address)).to.equal(false);
      await expect(tokenAs(observed, alice).getFunction("transfer")(outsider.address, 1n)).to.be.revertedWith(
        "Transfer not possible",
      );
      // A claim naming the trusted issuer but signed by a key the issuer never added cannot even be stored.
      const forged = await signClaim(outsider, identityAddress, TREX_BENCH.claimTopic, TREX_BENCH.claimData);
      await expect(
        identity.getFunction("addClaim")(
          TREX_BENCH.claimTopic,
          1n,
          issuer.target,
          forged,
          TREX_BENCH.claimData,
          "",
        ),
      ).to.be.revertedWith("invalid claim");

      // The same wallet with the issuer's signature: the same transfer goes through.
      const { claimSigner } = observed.accounts;
      const valid = await signClaim(
        claimSigner,
        identityAddress,
        TREX_BENCH.claimTopic,
        TREX_BENCH.claimData,
      );
      await send(
        identity,
        "addClaim",
        TREX_BENCH.claimTopic,
        1n,
        issuer.target,
        valid,
        TREX_BENCH.claimData,
        "",
      );
      expect(await callBool(observed.identityRegistry, "isVerified", outsider.address)).to.equal(true);
      await expect(
        tokenAs(observed, alice).getFunction("transfer")(outsider.address, 1n),
      ).to.changeTokenBalances(ethers, observed.token, [alice, outsider], [-1n, 1n]);
    });

    it("refuses a holder whose claim the issuer has revoked", async function () {
      const observed = await networkHelpers.loadFixture(benchmarkedChain);
      const { alice, bob } = observed.accounts;
      const issuer = await trustedIssuer(observed);
      const bobIdentity = await callAddress(observed.identityRegistry, "identity", bob.address);
      const [, , , signature] = await callList(
        at(onchainIdArtifact("Identity"), bobIdentity, ethers.provider),
        "getClaim",
        claimIdOf(issuer, TREX_BENCH.claimTopic),
      );

      await send(issuer, "revokeClaimBySignature", signature);

      expect(await callBool(observed.identityRegistry, "isVerified", bob.address)).to.equal(false);
      await expect(tokenAs(observed, alice).getFunction("transfer")(bob.address, 1n)).to.be.revertedWith(
        "Transfer not possible",
      );
    });
  });

  describe("artifacts", function () {
    it("are the pinned package versions", function () {
      expect(installedVersion(TREX_PACKAGE.name)).to.equal(TREX_PACKAGE.version);
      expect(installedVersion(ONCHAINID_PACKAGE.name)).to.equal(ONCHAINID_PACKAGE.version);
    });

    it("fail with TREX_ARTIFACT_UNREADABLE for a package that is not installed", function () {
      expect(() => installedVersion("@tokenysolutions/no-such-package"))
        .to.throw(TrexBenchError)
        .with.property("code", TrexBenchErrorCode.ArtifactUnreadable);
    });
  });
});

/** The ERC-735 claim id: keccak256(abi.encode(issuer, topic)). */
function claimIdOf(issuer: Contract, topic: bigint): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [issuer.target, topic]),
  );
}
