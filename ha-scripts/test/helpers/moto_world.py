#!/usr/bin/env python3
"""Builds and inspects the EC2 world of the aws-provider tests in moto_server (boto3, one
process per call, so the setup costs one Python start instead of one per CLI call).

  moto_world.py URL setup              reset moto; old NameNode instance in us-east-1a with
                                       the volume attached and the Elastic IP associated;
                                       prints KEY=value lines for the test
  moto_world.py URL state VOL ALLOC    prints the state the tests assert on, as JSON
  moto_world.py URL run ZONE           launches a plain instance in ZONE, prints its id
  moto_world.py URL attach VOL INST    attaches VOL to INST (moto allows anything)
  moto_world.py URL associate ALLOC INST
  moto_world.py URL tag VOL KEY VALUE
  moto_world.py URL assign IP INST     adds IP as a secondary private IP on INST's
                                       primary interface (IP "auto": .250 of its subnet);
                                       prints the IP
  moto_world.py URL holders IP         prints "eni-id instance-id" per interface holding IP
                                       (describe-network-interfaces)
  moto_world.py URL detach VOL INST    detaches VOL from INST (force)
  moto_world.py URL terminate INST
  moto_world.py URL eni ZONE [IP]      creates a network interface with no instance in ZONE's
                                       subnet (IP as a secondary private IP); prints its id
  moto_world.py URL associate-eni ALLOC ENI
  moto_world.py URL unassign IP INST   removes IP from INST's primary interface
  moto_world.py URL send INST COMMENT  an SSM command on INST (as an earlier run would); prints
                                       its id
  moto_world.py URL lt-bare            a launch template without an instance profile; prints
                                       its id
  moto_world.py URL bucket NAME        creates an S3 bucket
  moto_world.py URL image S3URI CID N [CLUSTERID]
                                       stores an image set under S3URI/CID/N/ (VERSION with
                                       CLUSTERID, default CID; fsimage_N; fsimage_N.md5 as
                                       Hadoop writes it) and sets S3URI/CID/latest = N
  moto_world.py URL put S3URI VALUE    writes an S3 object
  moto_world.py URL get S3URI          prints an S3 object ("absent" when there is none)
  moto_world.py URL keys S3URI         prints the keys under a prefix, one a line
  moto_world.py URL volumes-for VOL    prints "id zone state" of every volume tagged
                                       nn-relaunch:predecessor=VOL
  moto_world.py URL volume VOL         prints describe-volumes of VOL as JSON
"""
import hashlib
import ipaddress
import json
import sys
import urllib.request

import boto3


def ec2(url):
    return boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def s3(url):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def s3_split(uri):
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def image(url, uri, cid, n, cluster_id=None):
    """An image set as nn-host export-image leaves it, under URI/CID/N/, and latest = N."""
    c = s3(url)
    bucket, prefix = s3_split(uri.rstrip("/") + "/")
    base = f"{prefix}{cid}/"
    fsimage = f"fsimage-of-{cid}-at-{n}\n".encode() * 64
    version = (f"#Mon Nov 30 12:00:00 UTC 2026\nnamespaceID=1234\nclusterID={cluster_id or cid}\n"
               f"cTime=0\nstorageType=NAME_NODE\nblockpoolID=BP-1-127.0.0.1-1\n"
               f"layoutVersion=-67\n").encode()
    md5 = f"{hashlib.md5(fsimage).hexdigest()} *fsimage_{n}\n".encode()
    for name, body in (("VERSION", version), (f"fsimage_{n}", fsimage),
                       (f"fsimage_{n}.md5", md5)):
        c.put_object(Bucket=bucket, Key=f"{base}{n}/{name}", Body=body)
    c.put_object(Bucket=bucket, Key=f"{base}latest", Body=f"{n}\n".encode())


def subnets(c):
    return {s["AvailabilityZone"]: s["SubnetId"] for s in c.describe_subnets()["Subnets"]
            if s.get("DefaultForAz", True)}


def run(c, zone, lt=None):
    args = dict(MinCount=1, MaxCount=1, SubnetId=subnets(c)[zone])
    if lt:
        args["LaunchTemplate"] = {"LaunchTemplateId": lt}
    else:
        args["ImageId"] = "ami-03cf127a"
        args["InstanceType"] = "t3.small"
    return c.run_instances(**args)["Instances"][0]["InstanceId"]


def setup(url):
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"))
    c = ec2(url)
    lt = c.create_launch_template(
        LaunchTemplateName="namenode-template",
        LaunchTemplateData={"ImageId": "ami-03cf127a", "InstanceType": "t3.small",
                            "IamInstanceProfile": {"Name": "namenode-ssm"}},
    )["LaunchTemplate"]["LaunchTemplateId"]
    old = run(c, "us-east-1a", lt)
    vol = c.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    c.attach_volume(VolumeId=vol, InstanceId=old, Device="/dev/sdf")
    alloc = c.allocate_address(Domain="vpc")
    c.associate_address(AllocationId=alloc["AllocationId"], InstanceId=old)
    other_vol = c.create_volume(AvailabilityZone="us-east-1b", Size=8)["VolumeId"]
    s = subnets(c)
    print(f"LT={lt}\nOLD={old}\nVOL={vol}\nALLOC={alloc['AllocationId']}\n"
          f"PUBLIC_IP={alloc['PublicIp']}\nVOL_B={other_vol}\n"
          f"SUBNET_A={s['us-east-1a']}\nSUBNET_B={s['us-east-1b']}")


def state(url, vol, alloc):
    c = ec2(url)
    v = c.describe_volumes(VolumeIds=[vol])["Volumes"][0]
    a = c.describe_addresses(AllocationIds=[alloc])["Addresses"][0]
    insts = {}
    for r in c.describe_instances()["Reservations"]:
        for i in r["Instances"]:
            insts[i["InstanceId"]] = {
                "state": i["State"]["Name"],
                "zone": i["Placement"]["AvailabilityZone"],
                "subnet": i.get("SubnetId"),
                "imds_tokens": i.get("MetadataOptions", {}).get("HttpTokens"),
                "tags": {t["Key"]: t["Value"] for t in i.get("Tags", [])},
            }
    print(json.dumps({
        "volume": {
            "state": v["State"],
            "zone": v["AvailabilityZone"],
            "attached": [x["InstanceId"] for x in v.get("Attachments", [])],
            "tags": {t["Key"]: t["Value"] for t in v.get("Tags", [])},
        },
        "address": a.get("InstanceId") or "",
        "instances": insts,
    }, indent=1))


def main(argv):
    url, cmd, args = argv[1], argv[2], argv[3:]
    c = ec2(url)
    if cmd == "setup":
        setup(url)
    elif cmd == "state":
        state(url, *args)
    elif cmd == "run":
        print(run(c, args[0]))
    elif cmd == "attach":
        c.attach_volume(VolumeId=args[0], InstanceId=args[1], Device="/dev/sdg")
    elif cmd == "associate":
        c.associate_address(AllocationId=args[0], InstanceId=args[1], AllowReassociation=True)
    elif cmd == "tag":
        c.create_tags(Resources=[args[0]], Tags=[{"Key": args[1], "Value": args[2]}])
    elif cmd == "assign":
        inst = c.describe_instances(InstanceIds=[args[1]])["Reservations"][0]["Instances"][0]
        eni = [n for n in inst["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
        ip = args[0]
        if ip == "auto":
            cidr = c.describe_subnets(SubnetIds=[eni["SubnetId"]])["Subnets"][0]["CidrBlock"]
            ip = str(ipaddress.ip_network(cidr)[250])
        c.assign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                      PrivateIpAddresses=[ip], AllowReassignment=True)
        print(ip)
    elif cmd == "holders":
        for n in c.describe_network_interfaces()["NetworkInterfaces"]:
            if any(p["PrivateIpAddress"] == args[0] for p in n["PrivateIpAddresses"]):
                print(n["NetworkInterfaceId"], n.get("Attachment", {}).get("InstanceId", "-"))
    elif cmd == "detach":
        c.detach_volume(VolumeId=args[0], InstanceId=args[1], Force=True)
    elif cmd == "terminate":
        c.terminate_instances(InstanceIds=[args[0]])
    elif cmd == "eni":
        eni = c.create_network_interface(SubnetId=subnets(c)[args[0]])["NetworkInterface"]
        if len(args) > 1:
            c.assign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                          PrivateIpAddresses=[args[1]], AllowReassignment=True)
        print(eni["NetworkInterfaceId"])
    elif cmd == "associate-eni":
        c.associate_address(AllocationId=args[0], NetworkInterfaceId=args[1],
                            AllowReassociation=True)
    elif cmd == "unassign":
        inst = c.describe_instances(InstanceIds=[args[1]])["Reservations"][0]["Instances"][0]
        eni = [n for n in inst["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
        c.unassign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"],
                                        PrivateIpAddresses=[args[0]])
    elif cmd == "send":
        ssm = boto3.client("ssm", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        print(ssm.send_command(InstanceIds=[args[0]], DocumentName="AWS-RunShellScript",
                               Comment=args[1], Parameters={"commands": ["true"]})
              ["Command"]["CommandId"])
    elif cmd == "lt-bare":
        print(c.create_launch_template(
            LaunchTemplateName="bare-template",
            LaunchTemplateData={"ImageId": "ami-03cf127a", "InstanceType": "t3.small"},
        )["LaunchTemplate"]["LaunchTemplateId"])
    elif cmd == "bucket":
        s3(url).create_bucket(Bucket=args[0])
    elif cmd == "image":
        image(url, *args)
    elif cmd == "put":
        bucket, key = s3_split(args[0])
        s3(url).put_object(Bucket=bucket, Key=key, Body=args[1].encode())
    elif cmd == "get":
        bucket, key = s3_split(args[0])
        try:
            sys.stdout.write(s3(url).get_object(Bucket=bucket, Key=key)["Body"].read().decode())
        except s3(url).exceptions.NoSuchKey:
            print("absent")
    elif cmd == "keys":
        bucket, prefix = s3_split(args[0])
        for o in s3(url).list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            print(o["Key"])
    elif cmd == "volumes-for":
        for v in c.describe_volumes(Filters=[{"Name": "tag:nn-relaunch:predecessor",
                                              "Values": [args[0]]}])["Volumes"]:
            print(v["VolumeId"], v["AvailabilityZone"], v["State"])
    elif cmd == "volume":
        print(json.dumps(c.describe_volumes(VolumeIds=[args[0]])["Volumes"][0], default=str))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
