import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  type AddressLike,
  type BaseContract,
  type BaseContractMethod,
  type BigNumberish,
  type BytesLike,
  type ContractRunner,
  type ContractTransactionResponse,
  type Signer,
  type TypedDataDomain,
  Signature,
  encodeBytes32String,
  hexlify,
  keccak256,
  toUtf8Bytes,
} from "ethers";

/**
 * Test and benchmark support for the stablecoin: typed contract shapes, deployment behind OpenZeppelin's
 * ERC1967Proxy, and the EIP-712 messages of EIP-2612 and ERC-3009, signed with ethers `signTypedData`.
 *
 * The contract shapes are written out here because the typechain output is not valid under this project's
 * `erasableSyntaxOnly`; a wrong name or argument list here fails at the first call.
 */

type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;
type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;
/** A state-changing function that also returns a value (seen through `staticCall`). */
type SendReturning<A extends unknown[], R> = BaseContractMethod<A, R, ContractTransactionResponse>;

/** What `initialize` takes (IStablecoin.InitParams). */
export interface StablecoinInitParams {
  readonly name: string;
  readonly symbol: string;
  /** bytes3, e.g. `currencyCode("JPY")`. */
  readonly currency: string;
  readonly decimals: number;
  readonly admin: string;
  readonly adminTransferDelay: bigint;
  readonly upgrader: string;
  readonly masterMinter: string;
  readonly compliance: string;
  readonly pauser: string;
  readonly rescuer: string;
}

/** The stablecoin as the tests call it (behind its proxy). */
export interface StablecoinContract extends BaseContract {
  connect(runner: ContractRunner | null): StablecoinContract;
  // ERC-20
  name: View<[], string>;
  symbol: View<[], string>;
  decimals: View<[], bigint>;
  totalSupply: View<[], bigint>;
  balanceOf: View<[account: AddressLike], bigint>;
  allowance: View<[owner: AddressLike, spender: AddressLike], bigint>;
  transfer: Send<[to: AddressLike, value: BigNumberish]>;
  transferFrom: Send<[from: AddressLike, to: AddressLike, value: BigNumberish]>;
  approve: Send<[spender: AddressLike, value: BigNumberish]>;
  // set-up, roles, access control
  initialize: Send<[params: StablecoinInitParams]>;
  currency: View<[], string>;
  DEFAULT_ADMIN_ROLE: View<[], string>;
  UPGRADER_ROLE: View<[], string>;
  MASTER_MINTER_ROLE: View<[], string>;
  COMPLIANCE_ROLE: View<[], string>;
  PAUSER_ROLE: View<[], string>;
  RESCUER_ROLE: View<[], string>;
  PERMIT_TYPEHASH: View<[], string>;
  TRANSFER_WITH_AUTHORIZATION_TYPEHASH: View<[], string>;
  RECEIVE_WITH_AUTHORIZATION_TYPEHASH: View<[], string>;
  CANCEL_AUTHORIZATION_TYPEHASH: View<[], string>;
  hasRole: View<[role: BytesLike, account: AddressLike], boolean>;
  getRoleAdmin: View<[role: BytesLike], string>;
  grantRole: Send<[role: BytesLike, account: AddressLike]>;
  revokeRole: Send<[role: BytesLike, account: AddressLike]>;
  renounceRole: Send<[role: BytesLike, account: AddressLike]>;
  defaultAdmin: View<[], string>;
  owner: View<[], string>;
  defaultAdminDelay: View<[], bigint>;
  pendingDefaultAdmin: View<[], [string, bigint]>;
  beginDefaultAdminTransfer: Send<[newAdmin: AddressLike]>;
  cancelDefaultAdminTransfer: Send<[]>;
  acceptDefaultAdminTransfer: Send<[]>;
  changeDefaultAdminDelay: Send<[newDelay: BigNumberish]>;
  rollbackDefaultAdminDelay: Send<[]>;
  supportsInterface: View<[interfaceId: BytesLike], boolean>;
  // minters
  configureMinter: SendReturning<[minter: AddressLike, allowance: BigNumberish], boolean>;
  removeMinter: SendReturning<[minter: AddressLike], boolean>;
  isMinter: View<[account: AddressLike], boolean>;
  minterAllowance: View<[minter: AddressLike], bigint>;
  mint: SendReturning<[to: AddressLike, amount: BigNumberish], boolean>;
  burn: Send<[amount: BigNumberish]>;
  // allowed holders, freezes, pause
  allowAccount: Send<[account: AddressLike]>;
  allowAccounts: Send<[accounts: AddressLike[]]>;
  disallowAccount: Send<[account: AddressLike]>;
  disallowAccounts: Send<[accounts: AddressLike[]]>;
  isAllowed: View<[account: AddressLike], boolean>;
  freezeAccount: Send<[account: AddressLike]>;
  freezeAccounts: Send<[accounts: AddressLike[]]>;
  unfreezeAccount: Send<[account: AddressLike]>;
  unfreezeAccounts: Send<[accounts: AddressLike[]]>;
  isFrozen: View<[account: AddressLike], boolean>;
  pause: Send<[]>;
  unpause: Send<[]>;
  paused: View<[], boolean>;
  // EIP-2612
  nonces: View<[owner: AddressLike], bigint>;
  DOMAIN_SEPARATOR: View<[], string>;
  eip712Domain: View<[], [string, string, string, bigint, string, string, bigint[]]>;
  "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)": Send<
    [
      owner: AddressLike,
      spender: AddressLike,
      value: BigNumberish,
      deadline: BigNumberish,
      v: BigNumberish,
      r: BytesLike,
      s: BytesLike,
    ]
  >;
  "permit(address,address,uint256,uint256,bytes)": Send<
    [
      owner: AddressLike,
      spender: AddressLike,
      value: BigNumberish,
      deadline: BigNumberish,
      signature: BytesLike,
    ]
  >;
  // ERC-3009
  authorizationState: View<[authorizer: AddressLike, nonce: BytesLike], boolean>;
  "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)": Send<
    [...AuthorizationArgs, v: BigNumberish, r: BytesLike, s: BytesLike]
  >;
  "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)": Send<
    [...AuthorizationArgs, signature: BytesLike]
  >;
  "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)": Send<
    [...AuthorizationArgs, v: BigNumberish, r: BytesLike, s: BytesLike]
  >;
  "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)": Send<
    [...AuthorizationArgs, signature: BytesLike]
  >;
  "cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)": Send<
    [authorizer: AddressLike, nonce: BytesLike, v: BigNumberish, r: BytesLike, s: BytesLike]
  >;
  "cancelAuthorization(address,bytes32,bytes)": Send<
    [authorizer: AddressLike, nonce: BytesLike, signature: BytesLike]
  >;
  // rescue, upgrades
  rescueERC20: Send<[token: AddressLike, to: AddressLike, amount: BigNumberish]>;
  // settlement (ISettlementToken)
  SETTLEMENT_ROLE: View<[], string>;
  settlementTransfer: SendReturning<
    [from: AddressLike, to: AddressLike, amount: BigNumberish],
    [boolean, bigint] & { moved: boolean; available: bigint }
  >;
  settlementStanding: View<
    [account: AddressLike],
    [boolean, boolean, bigint] & { canSend: boolean; canReceive: boolean; available: bigint }
  >;
  upgradeToAndCall: Send<[newImplementation: AddressLike, data: BytesLike]>;
  proxiableUUID: View<[], string>;
  UPGRADE_INTERFACE_VERSION: View<[], string>;
}

type AuthorizationArgs = [
  from: AddressLike,
  to: AddressLike,
  value: BigNumberish,
  validAfter: BigNumberish,
  validBefore: BigNumberish,
  nonce: BytesLike,
];

/** contracts/mocks/SCStablecoinV2Mock.sol behind the same proxy. */
export interface StablecoinV2Contract extends StablecoinContract {
  connect(runner: ContractRunner | null): StablecoinV2Contract;
  initializeV2: Send<[memo: string]>;
  memo: View<[], string>;
  version: View<[], bigint>;
}

/** contracts/mocks/SCERC1271WalletMock.sol. */
export interface WalletContract extends BaseContract {
  connect(runner: ContractRunner | null): WalletContract;
  owner: View<[], string>;
  refuseAll: View<[], boolean>;
  setRefuseAll: Send<[refuse: boolean]>;
  execute: Send<[target: AddressLike, data: BytesLike]>;
  isValidSignature: View<[hash: BytesLike, signature: BytesLike], string>;
}

/** contracts/mocks/SCRescueTokenMock.sol. */
export interface RescueTokenContract extends BaseContract {
  connect(runner: ContractRunner | null): RescueTokenContract;
  balanceOf: View<[account: AddressLike], bigint>;
  mint: Send<[to: AddressLike, amount: BigNumberish]>;
  setMode: Send<[mode: BigNumberish]>;
  transfer: Send<[to: AddressLike, amount: BigNumberish]>;
}

/** SCRescueTokenMock.Mode. */
export const RescueTokenMode = { Standard: 0, ReturnsFalse: 1, ReturnsNothing: 2, Reenters: 3 } as const;

/** The role names the contract defines besides DEFAULT_ADMIN_ROLE, with their keccak256 ids. */
export const STABLECOIN_ROLES = {
  UPGRADER_ROLE: keccak256(toUtf8Bytes("UPGRADER_ROLE")),
  MASTER_MINTER_ROLE: keccak256(toUtf8Bytes("MASTER_MINTER_ROLE")),
  COMPLIANCE_ROLE: keccak256(toUtf8Bytes("COMPLIANCE_ROLE")),
  PAUSER_ROLE: keccak256(toUtf8Bytes("PAUSER_ROLE")),
  RESCUER_ROLE: keccak256(toUtf8Bytes("RESCUER_ROLE")),
  SETTLEMENT_ROLE: keccak256(toUtf8Bytes("SETTLEMENT_ROLE")),
} as const;

export const DEFAULT_ADMIN_ROLE = `0x${"00".repeat(32)}`;

/** A uint256 far in the future, for authorizations and permits that should not expire in a test. */
export const FAR_FUTURE = 2n ** 64n;

/** ISO 4217 alphabetic code as the bytes3 the contract stores: "JPY" → 0x4a5059. */
export function currencyCode(code: string): string {
  return hexlify(toUtf8Bytes(code));
}

/** The ERC-7201 slot of a namespace id: keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff. */
export function erc7201Slot(namespace: string): bigint {
  const inner = BigInt(keccak256(toUtf8Bytes(namespace))) - 1n;
  return BigInt(keccak256(`0x${inner.toString(16).padStart(64, "0")}`)) & ~0xffn;
}

/** A 32-byte ERC-3009 nonce named by a short label (distinct labels give distinct nonces). */
export function authorizationNonce(label: string): string {
  return keccak256(encodeBytes32String(label));
}

/** The signers a stablecoin deployment hands its roles to, and the accounts the tests use. */
export interface StablecoinAccounts {
  readonly deployer: HardhatEthersSigner;
  readonly admin: HardhatEthersSigner;
  readonly upgrader: HardhatEthersSigner;
  readonly masterMinter: HardhatEthersSigner;
  readonly compliance: HardhatEthersSigner;
  readonly pauser: HardhatEthersSigner;
  readonly rescuer: HardhatEthersSigner;
  readonly minter: HardhatEthersSigner;
  readonly alice: HardhatEthersSigner;
  readonly bob: HardhatEthersSigner;
  readonly carol: HardhatEthersSigner;
  readonly relayer: HardhatEthersSigner;
  readonly stranger: HardhatEthersSigner;
  /** Further signers, for property tests. */
  readonly others: readonly HardhatEthersSigner[];
}

export async function stablecoinAccounts(ethers: HardhatEthers): Promise<StablecoinAccounts> {
  const [
    deployer,
    admin,
    upgrader,
    masterMinter,
    compliance,
    pauser,
    rescuer,
    minter,
    alice,
    bob,
    carol,
    relayer,
    stranger,
    ...others
  ] = await ethers.getSigners();
  if (stranger === undefined) throw new Error("the stablecoin tests need at least 13 signers");
  return {
    deployer: deployer!,
    admin: admin!,
    upgrader: upgrader!,
    masterMinter: masterMinter!,
    compliance: compliance!,
    pauser: pauser!,
    rescuer: rescuer!,
    minter: minter!,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    relayer: relayer!,
    stranger,
    others,
  };
}

/** Initialisation parameters of the JPY coin (0 decimals) with the roles of `accounts`. */
export function jpyParams(
  accounts: StablecoinAccounts,
  adminTransferDelay = 3n * 24n * 3600n,
): StablecoinInitParams {
  return {
    name: "Clearchain Yen",
    symbol: "CJPY",
    currency: currencyCode("JPY"),
    decimals: 0,
    admin: accounts.admin.address,
    adminTransferDelay,
    upgrader: accounts.upgrader.address,
    masterMinter: accounts.masterMinter.address,
    compliance: accounts.compliance.address,
    pauser: accounts.pauser.address,
    rescuer: accounts.rescuer.address,
  };
}

/** Initialisation parameters of the USD coin (2 decimals). */
export function usdParams(accounts: StablecoinAccounts): StablecoinInitParams {
  return {
    ...jpyParams(accounts),
    name: "Clearchain Dollar",
    symbol: "CUSD",
    currency: currencyCode("USD"),
    decimals: 2,
  };
}

export interface StablecoinDeployment {
  readonly stablecoin: StablecoinContract;
  readonly implementationAddress: string;
  readonly proxyAddress: string;
}

/** Deploys the implementation, then OpenZeppelin's ERC1967Proxy with the `initialize(params)` call. */
export async function deployStablecoin(
  ethers: HardhatEthers,
  params: StablecoinInitParams,
  deployer?: Signer,
): Promise<StablecoinDeployment> {
  const implementation = await ethers.deployContract("Stablecoin", [], deployer);
  const implementationAddress = await implementation.getAddress();
  const initData = implementation.interface.encodeFunctionData("initialize", [params]);
  const proxy = await ethers.deployContract("ERC1967Proxy", [implementationAddress, initData], deployer);
  await proxy.waitForDeployment();
  const proxyAddress = await proxy.getAddress();
  const stablecoin = (await ethers.getContractAt(
    "Stablecoin",
    proxyAddress,
  )) as unknown as StablecoinContract;
  return { stablecoin, implementationAddress, proxyAddress };
}

// ---------------------------------------------------------------------------------------------------------------
// EIP-712 messages
// ---------------------------------------------------------------------------------------------------------------

export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

const AUTHORIZATION_FIELDS = [
  { name: "from", type: "address" },
  { name: "to", type: "address" },
  { name: "value", type: "uint256" },
  { name: "validAfter", type: "uint256" },
  { name: "validBefore", type: "uint256" },
  { name: "nonce", type: "bytes32" },
] as const;

export const TRANSFER_WITH_AUTHORIZATION_TYPES = { TransferWithAuthorization: AUTHORIZATION_FIELDS } as const;
export const RECEIVE_WITH_AUTHORIZATION_TYPES = { ReceiveWithAuthorization: AUTHORIZATION_FIELDS } as const;
export const CANCEL_AUTHORIZATION_TYPES = {
  CancelAuthorization: [
    { name: "authorizer", type: "address" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

export interface PermitMessage {
  readonly owner: string;
  readonly spender: string;
  readonly value: bigint;
  readonly nonce: bigint;
  readonly deadline: bigint;
}

export interface AuthorizationMessage {
  readonly from: string;
  readonly to: string;
  readonly value: bigint;
  readonly validAfter: bigint;
  readonly validBefore: bigint;
  readonly nonce: string;
}

export interface CancelMessage {
  readonly authorizer: string;
  readonly nonce: string;
}

export type AuthorizationKind = "transfer" | "receive";

/** The token's EIP-712 domain, read from the chain (ERC-5267). */
export async function stablecoinDomain(token: StablecoinContract): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = await token.eip712Domain();
  return { name, version, chainId, verifyingContract };
}

/** Signs an EIP-2612 permit (65-byte hex signature). */
export async function signPermit(
  signer: Signer,
  domain: TypedDataDomain,
  message: PermitMessage,
): Promise<string> {
  return signer.signTypedData(domain, mutableTypes(PERMIT_TYPES), { ...message });
}

/** Signs an ERC-3009 TransferWithAuthorization or ReceiveWithAuthorization. */
export async function signAuthorization(
  signer: Signer,
  domain: TypedDataDomain,
  kind: AuthorizationKind,
  message: AuthorizationMessage,
): Promise<string> {
  const types = kind === "transfer" ? TRANSFER_WITH_AUTHORIZATION_TYPES : RECEIVE_WITH_AUTHORIZATION_TYPES;
  return signer.signTypedData(domain, mutableTypes(types), { ...message });
}

/** Signs an ERC-3009 CancelAuthorization. */
export async function signCancel(
  signer: Signer,
  domain: TypedDataDomain,
  message: CancelMessage,
): Promise<string> {
  return signer.signTypedData(domain, mutableTypes(CANCEL_AUTHORIZATION_TYPES), { ...message });
}

/** A 65-byte signature as the (v, r, s) arguments. */
export function splitSignature(signature: string): { v: number; r: string; s: string } {
  const { v, r, s } = Signature.from(signature);
  return { v, r, s };
}

/** Sends an ERC-3009 authorization in the `bytes signature` form, or the (v, r, s) form. */
export function submitAuthorization(
  token: StablecoinContract,
  kind: AuthorizationKind,
  message: AuthorizationMessage,
  signature: string,
  form: "bytes" | "vrs" = "bytes",
): Promise<ContractTransactionResponse> {
  const args = [
    message.from,
    message.to,
    message.value,
    message.validAfter,
    message.validBefore,
    message.nonce,
  ] as const;
  if (kind === "transfer") {
    if (form === "bytes") {
      return token["transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)"](
        ...args,
        signature,
      );
    }
    const { v, r, s } = splitSignature(signature);
    return token[
      "transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)"
    ](...args, v, r, s);
  }
  if (form === "bytes") {
    return token["receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,bytes)"](
      ...args,
      signature,
    );
  }
  const { v, r, s } = splitSignature(signature);
  return token[
    "receiveWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)"
  ](...args, v, r, s);
}

/** Sends an ERC-3009 cancellation in the `bytes signature` form, or the (v, r, s) form. */
export function submitCancel(
  token: StablecoinContract,
  message: CancelMessage,
  signature: string,
  form: "bytes" | "vrs" = "bytes",
): Promise<ContractTransactionResponse> {
  if (form === "bytes") {
    return token["cancelAuthorization(address,bytes32,bytes)"](message.authorizer, message.nonce, signature);
  }
  const { v, r, s } = splitSignature(signature);
  return token["cancelAuthorization(address,bytes32,uint8,bytes32,bytes32)"](
    message.authorizer,
    message.nonce,
    v,
    r,
    s,
  );
}

/** Sends an EIP-2612 permit in the `bytes signature` form, or the (v, r, s) form. */
export function submitPermit(
  token: StablecoinContract,
  message: PermitMessage,
  signature: string,
  form: "bytes" | "vrs" = "vrs",
): Promise<ContractTransactionResponse> {
  if (form === "bytes") {
    return token["permit(address,address,uint256,uint256,bytes)"](
      message.owner,
      message.spender,
      message.value,
      message.deadline,
      signature,
    );
  }
  const { v, r, s } = splitSignature(signature);
  return token["permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"](
    message.owner,
    message.spender,
    message.value,
    message.deadline,
    v,
    r,
    s,
  );
}

/** ethers wants mutable arrays of fields; the constants above are `as const`. */
function mutableTypes(
  types: Readonly<Record<string, readonly { readonly name: string; readonly type: string }[]>>,
): Record<string, { name: string; type: string }[]> {
  return Object.fromEntries(
    Object.entries(types).map(([key, fields]) => [key, fields.map((f) => ({ ...f }))]),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// A funded JPY deployment
// ---------------------------------------------------------------------------------------------------------------

/** What {@link deployFundedJpy} sets up. */
export const FUNDED = { minterAllowance: 1_000_000n, alice: 10_000n, bob: 5_000n } as const;

export interface FundedStablecoin extends StablecoinDeployment {
  readonly accounts: StablecoinAccounts;
}

/**
 * The JPY coin behind its proxy, with minter, alice, bob and carol allowed, `minter` given an allowance of
 * 1,000,000 and 10,000 yen minted to alice and 5,000 to bob (what is left: 985,000).
 */
export async function deployFundedJpy(ethers: HardhatEthers): Promise<FundedStablecoin> {
  const accounts = await stablecoinAccounts(ethers);
  const deployment = await deployStablecoin(ethers, jpyParams(accounts));
  const { stablecoin } = deployment;
  const { compliance, masterMinter, minter, alice, bob, carol } = accounts;
  await (await stablecoin.connect(compliance).allowAccounts([minter, alice, bob, carol])).wait();
  await (await stablecoin.connect(masterMinter).configureMinter(minter, FUNDED.minterAllowance)).wait();
  await (await stablecoin.connect(minter).mint(alice, FUNDED.alice)).wait();
  await (await stablecoin.connect(minter).mint(bob, FUNDED.bob)).wait();
  return { ...deployment, accounts };
}
