#!/usr/bin/env python3
"""Builds the EC2 world of the topology tests in moto_server (boto3, one process).

  topo_world.py URL setup    reset moto; a VPC with subnets A1, A2 (us-east-1a) and B
                             (us-east-1b); instances A1 (no tag), A2 (tag rack=rack-2),
                             B1 (tag rack=rack-1), B2 (no tag), one terminated instance in
                             A1, in B one tagged cluster=other and one with the rack tag
                             'r 3/x' (cluster=odd); prints
                             KEY=value lines (ids, private IPs, DNS names, subnet ids)
"""
import sys
import urllib.request

import boto3


def ec2(url):
    return boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def setup(url):
    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"))
    c = ec2(url)
    vpc = c.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = {}
    for name, cidr, zone in (("A1", "10.20.1.0/24", "us-east-1a"),
                             ("A2", "10.20.2.0/24", "us-east-1a"),
                             ("B", "10.20.3.0/24", "us-east-1b")):
        subnets[name] = c.create_subnet(VpcId=vpc, CidrBlock=cidr,
                                        AvailabilityZone=zone)["Subnet"]["SubnetId"]
    out = {"VPC": vpc}
    for k, v in subnets.items():
        out[f"SUBNET_{k}"] = v

    def run(name, subnet, tags):
        args = dict(ImageId="ami-03cf127a", InstanceType="t3.small", MinCount=1, MaxCount=1,
                    SubnetId=subnets[subnet])
        if tags:
            args["TagSpecifications"] = [{"ResourceType": "instance", "Tags": [
                {"Key": k, "Value": v} for k, v in tags.items()]}]
        i = c.run_instances(**args)["Instances"][0]
        out[f"ID_{name}"] = i["InstanceId"]
        out[f"IP_{name}"] = i["PrivateIpAddress"]
        out[f"DNS_{name}"] = i["PrivateDnsName"]
        return i["InstanceId"]

    run("A1", "A1", {"cluster": "hadoop"})
    run("A2", "A2", {"cluster": "hadoop", "rack": "rack-2"})
    run("B1", "B", {"cluster": "hadoop", "rack": "rack-1"})
    run("B2", "B", {"cluster": "hadoop"})
    run("OTHER", "B", {"cluster": "other"})
    run("ODD", "B", {"cluster": "odd", "rack": "r 3/x"})
    gone = run("GONE", "A1", {"cluster": "hadoop"})
    c.terminate_instances(InstanceIds=[gone])
    for k, v in out.items():
        print(f"{k}={v}")


def main(argv):
    url, cmd = argv[1], argv[2]
    if cmd == "setup":
        setup(url)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
