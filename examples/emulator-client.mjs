import { Service } from '@volcengine/openapi'

const vpc = new Service({
  serviceName: 'vpc', host: '127.0.0.1:8080', protocol: 'http:', region: 'cn-beijing',
  accessKeyId: 'AKLTexample', secretKey: 'c2VjcmV0LWtleQ==',
})
const associate = vpc.createAPI('AssociateHaVip', { Version: '2020-04-01', method: 'GET' })
const describe = vpc.createAPI('DescribeHaVips', { Version: '2020-04-01', method: 'GET' })

await associate({ HaVipId: 'havip-2zeo05qre24nhrqpy1a2', InstanceId: 'i-ycb7qkdnr4xu4qzhd1bl' })
const { Result } = await describe({ 'HaVipIds.1': 'havip-2zeo05qre24nhrqpy1a2' })
console.log(Result.HaVips[0].Status, Result.HaVips[0].AssociatedInstanceIds) // InUse [ 'i-ycb7qkdnr4xu4qzhd1bl' ]
