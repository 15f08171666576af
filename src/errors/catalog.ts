/**
 * Every error the project answers with: one table, the texts copied byte for byte from the
 * vendor's pages (`docs/errors.md` says where each comes from). `{name}` marks a value filled in
 * per request. The `id` is the wire `Code`, except for the variants of one code that differ in
 * their message: the five `Forbidden` ones, the `.TooLong` name and description, and the two
 * `InvalidHaVip.InUse` of DeleteHaVip.
 */
export const catalog = {
  // Gateway (public) errors: they carry the vendor's numeric CodeN.
  MissingParameter: { code: 'MissingParameter', codeN: 100002, status: 400, en: 'The request is missing {name} parameter.', zh: '请求缺少{name}参数。' },
  InvalidActionOrVersion: { code: 'InvalidActionOrVersion', codeN: 100008, status: 404, en: 'Could not find operation {Action} for version {Version}', zh: '找不到版本{Version}的操作{Action}。' },
  // Signature checks of `havip serve` (docs/endpoint.md).
  MissingAuthenticationToken: { code: 'MissingAuthenticationToken', codeN: 100003, status: 401, en: 'Request is missing Authentication Token', zh: '请求缺少身份认证信息。' },
  InvalidTimestamp: { code: 'InvalidTimestamp', codeN: 100006, status: 403, en: 'The Signature of the request is expired', zh: '请求的签名已过期。' },
  InvalidAccessKey: { code: 'InvalidAccessKey', codeN: 100009, status: 401, en: 'The accesskey [{name}] included in the request is invalid.', zh: '请求中的访问密钥[{name}]无效。' },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', codeN: 100010, status: 401, en: 'The request signature we calculated does not match the signature you provided. Check your Secret Access Key and signing method.', zh: '请求签名与计算结果不一致，请检查密钥和签名方法。' },
  InternalError: { code: 'InternalError', codeN: 100014, status: 500, en: 'Service has some internal Error. Pls Contact With Admin', zh: '服务内部错误，请联系管理员。' },
  // What `havip serve` answers for what never reaches the API [choice].
  RequestEntityTooLarge: { code: 'RequestEntityTooLarge', status: 413, en: 'The request body is larger than {limit} bytes.', zh: '请求体超过{limit}字节。' },
  MalformedRequest: { code: 'MalformedRequest', status: 400, en: 'The request could not be read: {why}.', zh: '无法解析请求：{why}。' },
  RequestTimeout: { code: 'RequestTimeout', status: 408, en: 'The request did not arrive within {seconds} seconds.', zh: '请求未在{seconds}秒内到达。' },
  RequestHeaderFieldsTooLarge: { code: 'RequestHeaderFieldsTooLarge', status: 431, en: 'The request line and headers are larger than {limit} bytes.', zh: '请求行和请求头超过{limit}字节。' },
  MalformedRequestBody: { code: 'MalformedRequestBody', status: 400, en: 'The request body could not be read as {type}.', zh: '无法按{type}解析请求体。' },
  InvalidPath: { code: 'InvalidPath', status: 404, en: 'The path {path} does not exist; the API is served at /.', zh: '路径{path}不存在，接口位于/。' },
  MethodNotAllowed: { code: 'MethodNotAllowed', status: 405, en: 'The method {method} is not allowed; use GET or POST.', zh: '不支持{method}方法，请使用GET或POST。' },

  // AssociateHaVip's own table, then its newer row.
  IdempotentParameterMismatch: { code: 'IdempotentParameterMismatch', status: 400, en: 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).', zh: '此幂等请求的参数与前一个请求中使用的参数不一致。' },
  'InvalidHaVip.InvalidStatus': { code: 'InvalidHaVip.InvalidStatus', status: 400, en: 'The specified HaVip is not in the correct status for the request.', zh: '指定的高可用虚拟IP所处状态无法响应该请求。' },
  'InvalidHaVip.NotSupport': { code: 'InvalidHaVip.NotSupport', status: 400, en: 'The specified HaVip does not support this operation', zh: '指定的高可用虚拟IP不支持此操作。' },
  'InvalidInstance.HaVipMismatch': { code: 'InvalidInstance.HaVipMismatch', status: 400, en: 'The specified instance and HaVip are in different subnets.', zh: '指定的实例和高可用虚拟IP不在同一个子网内。' },
  'InvalidInstance.InvalidStatus': { code: 'InvalidInstance.InvalidStatus', status: 400, en: 'The specified instance is not in the correct status for the request.', zh: '指定的ECS实例所处的状态无法响应该请求。' },
  'InvalidInstanceType.Malformed': { code: 'InvalidInstanceType.Malformed', status: 400, en: 'The specified instance type is malformed.', zh: '指定的实例类型不合法。' },
  'InvalidParameter.ClientTokenMalformed': { code: 'InvalidParameter.ClientTokenMalformed', status: 400, en: 'The specified parameter ClientToken is malformed.', zh: '指定的参数ClientToken格式不合法,长度不能超过64个ASCII字符。' },
  'LimitExceeded.HaVipsPerInstance': { code: 'LimitExceeded.HaVipsPerInstance', status: 400, en: "You've reached the limit on the number of HaVips that you can associate with an instance.", zh: '已达到每个实例可绑定的高可用虚拟IP数量上限。' },
  'LimitExceeded.InstancesPerHaVip': { code: 'LimitExceeded.InstancesPerHaVip', status: 400, en: "You've reached the limit on the number of instances that you can associate with a HaVip.", zh: '已达到每个高可用虚拟IP可绑定的实例数量上限。' },
  'Forbidden.EniNotAttachedToEcs': { code: 'Forbidden', status: 403, en: 'You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is not attached to ECS.', zh: '无权限对指定弹性网卡进行操作。指定的弹性网卡绑定的类型不是ECS。' },
  'Forbidden.MixedInstanceTypes': { code: 'Forbidden', status: 403, en: 'You are not authorized to perform operations on the specified HaVip. Cannot bind HaVip to multiple instance types.', zh: '无权限对指定高可用虚拟IP进行操作。指定的高可用虚拟IP不能同时绑定ECS和弹性网卡。' },
  'Forbidden.TwoEnisOfOneInstance': { code: 'Forbidden', status: 403, en: 'You are not authorized to perform operations on the specified elastic network interface. Cannot associate HaVip with two elastic network interface in the same ECS instance.', zh: '无权限对指定弹性网卡进行操作。不允许将高可用虚拟IP绑定到同一台ECS上的两张网卡。' },
  'Forbidden.ServiceManagedEni': { code: 'Forbidden', status: 403, en: 'You are not authorized to perform operations on the specified elastic network interface. The specified elastic network interface is a service-managed elastic network interface.', zh: '无权限对指定弹性网卡进行操作。指定的弹性网卡为云产品托管的弹性网卡。' },
  'Forbidden.InstanceAlreadyAssociated': { code: 'Forbidden', status: 403, en: 'You are not authorized to perform operations on the specified instance. The specified instance is associated with a HaVip.', zh: '无权限对指定实例进行操作。指定的实例已经绑定了高可用虚拟IP。' },
  'InvalidEniId.NotFound': { code: 'InvalidEniId.NotFound', status: 404, en: 'The specified elastic network interface does not exist.', zh: '指定的弹性网卡不存在。' },
  'InvalidHaVip.NotFound': { code: 'InvalidHaVip.NotFound', status: 404, en: 'The specified HaVip does not exist.', zh: '指定的高可用虚拟IP不存在。' },
  'InvalidInstance.NotFound': { code: 'InvalidInstance.NotFound', status: 404, en: 'The specified instance does not exist.', zh: '指定的ECS实例不存在。' },
  IdempotentProcessing: { code: 'IdempotentProcessing', status: 412, en: 'The request uses the same client token as a previous one that is still in process.', zh: '幂等请求处理中。' },
  'InvalidEni.InvalidStatus': { code: 'InvalidEni.InvalidStatus', status: 400, en: 'The specified elastic network interface is not in the correct status for the request.', zh: '指定的弹性网卡所处的状态无法响应该请求。' },

  // DisassociateHaVip [choice, after the sibling cloud's code].
  ResourceNotAssociated: { code: 'ResourceNotAssociated', status: 400, en: 'The specified HaVip and instance are not associated.', zh: '指定的高可用虚拟IP与实例未绑定。' },

  // CreateHaVip, DeleteHaVip, ModifyHaVipAttributes: the vendor's texts where it publishes them
  // (its ModifyHaVipAttributes and DeleteHaVip tables, its sibling VPC pages), else [choice].
  'InvalidName.Malformed.TooLong': { code: 'InvalidName.Malformed', status: 400, en: 'The specified name is malformed. Ensure the maximum length of name is 128.', zh: '指定的名称格式不合法。名称长度不能超过128个字符。' },
  'InvalidName.Malformed': { code: 'InvalidName.Malformed', status: 400, en: 'The specified name is malformed.', zh: '指定的名称格式不合法。' },
  'InvalidDescription.Malformed.TooLong': { code: 'InvalidDescription.Malformed', status: 400, en: 'The specified description is malformed. Ensure the maximum length of description is 255.', zh: '指定的描述格式不合法。描述长度不能超过255个字符。' },
  'InvalidDescription.Malformed': { code: 'InvalidDescription.Malformed', status: 400, en: 'The specified description is malformed.', zh: '指定的描述格式不合法。' },
  'InvalidHaVip.InUse.Eip': { code: 'InvalidHaVip.InUse', status: 400, en: 'The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is disassociated with elastic IP.', zh: '指定的高可用虚拟IP正在使用中。如需删除该高可用虚拟IP，请先解绑弹性公网IP。' },
  'InvalidHaVip.InUse.RouteEntry': { code: 'InvalidHaVip.InUse', status: 400, en: 'The specified HaVip is in use. If you are trying to delete this HaVip, ensure that it is not referenced by route entry.', zh: '指定的高可用虚拟IP正在使用中。如需删除该高可用虚拟IP，请确保没有路由条目引用它。' },
  'InvalidSubnet.NotFound': { code: 'InvalidSubnet.NotFound', status: 404, en: 'The specified subnet does not exist.', zh: '指定的子网不存在。' },
  'InvalidSubnet.InvalidStatus': { code: 'InvalidSubnet.InvalidStatus', status: 400, en: 'The specified subnet is not in the correct status for the request.', zh: '指定的子网所处状态无法响应该请求。' },
  'InvalidIpAddress.Malformed': { code: 'InvalidIpAddress.Malformed', status: 400, en: 'The specified IP address is malformed.', zh: '指定的IP地址格式不合法。' },
  'InvalidIpAddress.OutOfRange': { code: 'InvalidIpAddress.OutOfRange', status: 400, en: 'The specified IP address is not in the CIDR block of the subnet.', zh: '指定的IP地址不在子网的网段内。' },
  'InvalidIpAddress.NotAvailable': { code: 'InvalidIpAddress.NotAvailable', status: 400, en: 'The specified IP address is reserved by the system.', zh: '指定的IP地址为系统保留地址。' },
  'InvalidIpAddress.InUse': { code: 'InvalidIpAddress.InUse', status: 400, en: 'The specified IP address is in use.', zh: '指定的IP地址已被占用。' },
  'InsufficientIpAddress.Subnet': { code: 'InsufficientIpAddress.Subnet', status: 400, en: 'The subnet has no free IP address.', zh: '子网没有可用的IP地址。' },
  'QuotaExceeded.HaVipsPerVpc': { code: 'QuotaExceeded.HaVipsPerVpc', status: 400, en: "You've reached the limit on the number of HaVips in a VPC.", zh: '已达到每个私有网络的高可用虚拟IP数量上限。' },
  'QuotaExceeded.HaVipsPerRegion': { code: 'QuotaExceeded.HaVipsPerRegion', status: 400, en: "You've reached the limit on the number of HaVips in a region.", zh: '已达到每个地域的高可用虚拟IP数量上限。' },
  'InvalidAsyncTask.NotFound': { code: 'InvalidAsyncTask.NotFound', status: 404, en: 'The specified async task does not exist.', zh: '指定的异步任务不存在。' },

  // DescribeHaVips paging [choice].
  InvalidParameter: { code: 'InvalidParameter', status: 400, en: 'The specified parameter {name} is invalid.', zh: '指定的参数{name}不合法。' },
} as const satisfies Record<string, CatalogEntry>

interface CatalogEntry {
  readonly code: string
  readonly codeN?: number
  readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 412 | 413 | 431 | 500
  readonly en: string
  readonly zh: string
}

export type ErrorId = keyof typeof catalog

export const errorIds = Object.keys(catalog) as ReadonlyArray<ErrorId>

/** The errors only `havip serve` answers: about the HTTP request, not the API call in it. */
export const endpointErrorIds: ReadonlyArray<ErrorId> = [
  'MissingAuthenticationToken', 'InvalidTimestamp', 'InvalidAccessKey', 'SignatureDoesNotMatch',
  'RequestEntityTooLarge', 'MalformedRequest', 'RequestTimeout', 'RequestHeaderFieldsTooLarge', 'MalformedRequestBody', 'InvalidPath', 'MethodNotAllowed',
]

/** An API error: what the vendor would answer, and the facts of this snapshot behind it. */
export interface ApiError {
  readonly id: ErrorId
  readonly code: string
  readonly status: number
  /** Only gateway errors carry one. */
  readonly codeN?: number
  /** The vendor's English message, exactly. */
  readonly message: string
  /** The vendor's Chinese message, exactly. */
  readonly messageZh: string
  /** Why, in terms of this snapshot and request ("HaVip havip-1 is in subnet-a; instance i-3 in subnet-b"). */
  readonly facts: string
}

const fill = (template: string, values: Readonly<Record<string, string>>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole))

export const apiError = (id: ErrorId, facts: string, values: Readonly<Record<string, string>> = {}): ApiError => {
  const entry: CatalogEntry = catalog[id]
  return {
    id,
    code: entry.code,
    status: entry.status,
    ...(entry.codeN === undefined ? {} : { codeN: entry.codeN }),
    message: fill(entry.en, values),
    messageZh: fill(entry.zh, values),
    facts,
  }
}
